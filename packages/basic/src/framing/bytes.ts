/**
 * Byte helpers for the framing layer: cheap Buffer views and a delimiter search. Internal.
 *
 * @module
 */

type ViewConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => Buffer;

/**
 * Makes a `Buffer` view of `length` bytes at `byteOffset` of an `ArrayBuffer`, without copying.
 *
 * It is the constructor Node's own `Buffer` methods use (`FastBuffer`), reached through the
 * standard `Symbol.species` hook. Why: a frame handed out per line is the hot path, and
 * `new FastBuffer(arrayBuffer, offset, length)` costs about a third of `buf.subarray(a, b)`
 * (~10 ns against ~27 ns on Node 20: subarray looks the species up on every call). Falls back
 * to `Buffer.from` where the hook is missing or does not make Buffers.
 */
export const View: ViewConstructor = ((): ViewConstructor => {
  const species = (Buffer as unknown as Record<symbol, unknown>)[Symbol.species];
  if (typeof species === "function") {
    try {
      const probe = new (species as ViewConstructor)(new ArrayBuffer(2), 1, 1);
      if (Buffer.isBuffer(probe) && probe.byteOffset === 1 && probe.length === 1)
        return species as ViewConstructor;
    } catch {
      // not a view constructor: use the fallback
    }
  }
  return function view(buffer: ArrayBufferLike, byteOffset: number, length: number): Buffer {
    return Buffer.from(buffer, byteOffset, length);
  } as unknown as ViewConstructor;
})();

/** Ranges up to this many bytes are searched in JavaScript, longer ones with `Buffer.indexOf`. */
const SHORT_SCAN = 48;

/**
 * Index in `buf` of the first occurrence of `needle` that starts at or after `s` and ends at or
 * before `end`, or -1. `buf` must be a view of `ab` starting at `base` (`end` may be short of
 * `buf.length`: the rest is not searched).
 */
export function search(
  buf: Buffer,
  ab: ArrayBufferLike,
  base: number,
  s: number,
  end: number,
  needle: number | Uint8Array,
): number {
  return end - s <= SHORT_SCAN
    ? scanShort(buf, s, end, needle)
    : scanLong(end === buf.length ? buf : new View(ab, base, end), s, needle);
}

/** A few new bytes (small chunks): a JavaScript loop beats the native call. */
function scanShort(buf: Buffer, s: number, end: number, needle: number | Uint8Array): number {
  if (typeof needle === "number") {
    for (let i = s; i < end; i++) if (buf[i] === needle) return i;
    return -1;
  }
  const n = needle.length;
  const first = needle[0];
  outer: for (let i = s; i + n <= end; i++) {
    if (buf[i] !== first) continue;
    for (let k = 1; k < n; k++) if (buf[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

/** The native search over all of `hay` from `s`. */
function scanLong(hay: Buffer, s: number, needle: number | Uint8Array): number {
  if (typeof needle === "number" || needle.length > 4) return hay.indexOf(needle, s);
  // A short sequence (such as "\r\n"): find its last byte with the single-byte search
  // (memchr, ~8 ns a call against ~45 ns for a sequence), then check the bytes before it.
  const n = needle.length;
  const last = needle[n - 1]!;
  for (let j = s + n - 1; ; j++) {
    j = hay.indexOf(last, j);
    if (j < 0) return -1;
    const at = j - n + 1;
    let k = 0;
    while (k < n - 1 && hay[at + k] === needle[k]) k++;
    if (k === n - 1) return at;
  }
}
