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
 * `buf.length`: the rest is not searched). With {@link searchByte}, the one scan routine of the
 * framing layer; the callers on the hot path pick one of the two themselves (a call less per line).
 */
export function search(
  buf: Buffer,
  ab: ArrayBufferLike,
  base: number,
  s: number,
  end: number,
  needle: number | Uint8Array,
): number {
  return typeof needle === "number"
    ? searchByte(buf, ab, base, s, end, needle)
    : searchSequence(buf, ab, base, s, end, needle);
}

/** {@link search} for one byte value. */
export function searchByte(
  buf: Buffer,
  ab: ArrayBufferLike,
  base: number,
  s: number,
  end: number,
  needle: number,
): number {
  if (end - s > SHORT_SCAN) return hayOf(buf, ab, base, end).indexOf(needle, s);
  // A few new bytes (small chunks): a JavaScript loop beats the native call.
  for (let i = s; i < end; i++) if (buf[i] === needle) return i;
  return -1;
}

/**
 * {@link search} for a byte sequence, tuned for line delimiters: this runs once per line. For a
 * short sequence (such as `"\r\n"`) it looks for the sequence's last byte, with a JavaScript
 * loop over a few bytes or the native single-byte search (memchr, ~8 ns a call against ~45 ns
 * for a sequence search) over more, then checks the bytes before it.
 */
export function searchSequence(
  buf: Buffer,
  ab: ArrayBufferLike,
  base: number,
  s: number,
  end: number,
  needle: Uint8Array,
): number {
  const n = needle.length;
  if (n > 4) return searchLongNeedle(buf, ab, base, s, end, needle);
  let j = s + n - 1;
  if (j >= end) return -1;
  if (end - j <= SHORT_SCAN) return scanShortSequence(buf, j, end, needle);
  // Kept small (the short scan and the long needle out of line) so that it inlines into the
  // decoder: it runs once per line.
  const hay = end === buf.length ? buf : new View(ab, base, end);
  const last = needle[n - 1]!;
  for (;;) {
    j = hay.indexOf(last, j);
    if (j < 0) return -1;
    const at = j - n + 1;
    let k = 0;
    while (k < n - 1 && hay[at + k] === needle[k]) k++;
    if (k === n - 1) return at;
    j++;
  }
}

/** A few new bytes (the end of a small chunk): a JavaScript loop beats the native call. */
function scanShortSequence(buf: Buffer, j: number, end: number, needle: Uint8Array): number {
  const n = needle.length;
  const last = needle[n - 1]!;
  outer: for (; j < end; j++) {
    if (buf[j] !== last) continue;
    const at = j - n + 1;
    for (let k = 0; k < n - 1; k++) if (buf[at + k] !== needle[k]) continue outer;
    return at;
  }
  return -1;
}

/** A long needle: the native sequence search (rare for framing; out of line). */
function searchLongNeedle(
  buf: Buffer,
  ab: ArrayBufferLike,
  base: number,
  s: number,
  end: number,
  needle: Uint8Array,
): number {
  return s + needle.length > end ? -1 : hayOf(buf, ab, base, end).indexOf(needle, s);
}

/** `buf` up to `end`: an owned buffer has unwritten room after its written bytes. */
function hayOf(buf: Buffer, ab: ArrayBufferLike, base: number, end: number): Buffer {
  return end === buf.length ? buf : new View(ab, base, end);
}
