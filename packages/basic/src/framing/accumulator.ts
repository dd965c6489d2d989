/**
 * The byte queue a {@link Decoder} reads frames from.
 *
 * @module
 */

const EMPTY: Buffer = Buffer.alloc(0);

type ViewConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => Buffer;

/**
 * The constructor Node's own `Buffer` methods use for views (`FastBuffer`), reached through the
 * standard `Symbol.species` hook. Why: a frame handed out per line is the hot path, and
 * `new FastBuffer(arrayBuffer, offset, length)` costs about a third of `buf.subarray(a, b)`
 * (which looks the species up on every call). Falls back to `Buffer.from` where the hook is
 * missing or does not make Buffers.
 */
const View: ViewConstructor = ((): ViewConstructor => {
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

/** Smallest owned allocation; small enough to come from Node's buffer pool. */
const MIN_CAPACITY = 1024;

/**
 * Bytes received but not yet consumed, as one contiguous region, with the operations a
 * decoder needs: search, peek and remove from the front.
 *
 * Why one contiguous region: a frame can then be handed out as a view (`subarray`) without
 * copying, and a search is one native `Buffer.indexOf` call. The first chunk pushed into an
 * empty accumulator is kept as it is (no copy: on a socket, most frames are views of the chunk
 * they arrived in); a chunk pushed behind unconsumed bytes is appended to an owned buffer that
 * grows by doubling, so a long frame arriving in small chunks costs linear time.
 *
 * Returned views stay valid forever: bytes already handed out are never overwritten (the
 * owned buffer only grows at its end, and a full buffer is replaced, not compacted). A pushed
 * chunk must not be modified afterwards by its owner (Node never reuses `'data'` chunks).
 *
 * {@link Accumulator.consumed} counts every byte ever removed from the front, so a decoder can
 * remember how far it has scanned in absolute terms and stay correct when its owner removes
 * bytes behind its back (raw mode, `clearLineBuffer`).
 */
export class Accumulator {
  #buf: Buffer = EMPTY;
  /** `#buf.buffer` and `#buf.byteOffset`, cached: views are made from them. */
  #ab: ArrayBufferLike = EMPTY.buffer;
  #base = EMPTY.byteOffset;
  #start = 0;
  #end = 0;
  /** `true` when `#buf` was allocated here, so the space after `#end` may be written. */
  #owned = false;
  #consumed = 0;

  /** Number of unconsumed bytes. */
  get length(): number {
    return this.#end - this.#start;
  }

  /** Total number of bytes ever removed from the front (by take, skip, takeAll, clear). */
  get consumed(): number {
    return this.#consumed;
  }

  /** Append `chunk`. Copies it only when unconsumed bytes are already waiting. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    if (this.#start === this.#end) {
      this.#setBuffer(
        Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, n),
        false,
      );
      this.#start = 0;
      this.#end = n;
      return;
    }
    if (this.#owned && this.#buf.length - this.#end >= n) {
      this.#buf.set(chunk, this.#end);
      this.#end += n;
      return;
    }
    const pending = this.#end - this.#start;
    const needed = pending + n;
    // Double so that a long frame arriving in small chunks is copied O(log n) times.
    const capacity = Math.max(needed, pending * 2, MIN_CAPACITY);
    const next = Buffer.allocUnsafe(capacity);
    this.#buf.copy(next, 0, this.#start, this.#end);
    next.set(chunk, pending);
    this.#setBuffer(next, true);
    this.#start = 0;
    this.#end = needed;
  }

  /**
   * Index (from the front) of the first occurrence of `needle` at or after `from`, or -1.
   * `needle` is a byte value or a byte sequence.
   */
  indexOf(needle: number | Uint8Array, from = 0): number {
    const start = this.#start;
    const end = this.#end;
    const buf = this.#buf;
    const s = start + Math.max(from, 0);
    if (s >= end) return -1;
    if (end - s <= SHORT_SCAN) {
      // A few new bytes (small chunks): a JavaScript loop beats the native call.
      if (typeof needle === "number") {
        for (let i = s; i < end; i++) if (buf[i] === needle) return i - start;
        return -1;
      }
      const n = needle.length;
      const first = needle[0];
      outer: for (let i = s; i + n <= end; i++) {
        if (buf[i] !== first) continue;
        for (let k = 1; k < n; k++) if (buf[i + k] !== needle[k]) continue outer;
        return i - start;
      }
      return -1;
    }
    // Do not search the owned buffer's unwritten tail.
    const hay = end === buf.length ? buf : new View(this.#ab, this.#base, end);
    if (typeof needle === "number" || needle.length > 4) {
      const i = hay.indexOf(needle, s);
      return i < 0 ? -1 : i - start;
    }
    // A short sequence (such as "\r\n"): find its last byte with the single-byte search
    // (memchr, no per-call search setup), then check the bytes before it.
    const n = needle.length;
    const last = needle[n - 1]!;
    for (let j = s + n - 1; ; j++) {
      j = hay.indexOf(last, j);
      if (j < 0) return -1;
      const at = j - n + 1;
      let k = 0;
      while (k < n - 1 && buf[at + k] === needle[k]) k++;
      if (k === n - 1) return at - start;
    }
  }

  /** Index of the last occurrence of `needle`, or -1. */
  lastIndexOf(needle: number | Uint8Array): number {
    if (this.#start === this.#end) return -1;
    return this.peek().lastIndexOf(needle);
  }

  /** The byte at `index` from the front (undefined past the end). */
  at(index: number): number | undefined {
    if (index < 0 || index >= this.#end - this.#start) return undefined;
    return this.#buf[this.#start + index];
  }

  /** Read an unsigned big-endian integer of `byteLength` (1 to 6) bytes at `offset`, without consuming. */
  readUIntBE(offset: number, byteLength: number): number {
    if (offset < 0 || offset + byteLength > this.#end - this.#start) {
      throw new RangeError(
        `cannot read ${byteLength} bytes at ${offset}: only ${this.length} buffered`,
      );
    }
    return this.#buf.readUIntBE(this.#start + offset, byteLength);
  }

  /** A view of the first `n` bytes (default: all), without consuming them. */
  peek(n: number = this.length): Buffer {
    const avail = this.#end - this.#start;
    if (n > avail) n = avail;
    return new View(this.#ab, this.#base + this.#start, n);
  }

  /** Remove the first `n` bytes and return them as a view (no copy). */
  take(n: number): Buffer {
    const start = this.#start;
    const avail = this.#end - start;
    if (n > avail) n = avail;
    const out = new View(this.#ab, this.#base + start, n);
    this.#advance(n);
    return out;
  }

  /**
   * Remove the first `n + skip` bytes and return the first `n` as a view: a frame followed by
   * its terminator, in one step.
   */
  takeFrame(n: number, skip: number): Buffer {
    const start = this.#start;
    const avail = this.#end - start;
    if (n > avail) n = avail;
    const out = new View(this.#ab, this.#base + start, n);
    const drop = n + skip;
    this.#advance(drop < avail ? drop : avail);
    return out;
  }

  /** Remove the first `n` bytes. */
  skip(n: number): void {
    const avail = this.#end - this.#start;
    this.#advance(Math.min(n, avail));
  }

  /** Remove and return everything buffered. */
  takeAll(): Buffer {
    return this.take(this.#end - this.#start);
  }

  /** Drop everything buffered. */
  clear(): void {
    this.#advance(this.#end - this.#start);
  }

  #advance(n: number): void {
    this.#consumed += n;
    this.#start += n;
    if (this.#start === this.#end) {
      // Release the storage: a drained accumulator holds no memory.
      this.#setBuffer(EMPTY, false);
      this.#start = 0;
      this.#end = 0;
    }
  }

  #setBuffer(buf: Buffer, owned: boolean): void {
    this.#buf = buf;
    this.#ab = buf.buffer;
    this.#base = buf.byteOffset;
    this.#owned = owned;
  }
}
