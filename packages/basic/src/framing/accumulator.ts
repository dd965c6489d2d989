/**
 * The byte queue a {@link Decoder} reads frames from.
 *
 * @module
 */
import { search, searchByte, searchSequence, View } from "./bytes.ts";

const EMPTY: Buffer = Buffer.alloc(0);

/** Smallest owned allocation; small enough to come from Node's buffer pool. */
const MIN_CAPACITY = 1024;

/**
 * Chunks at least this long are kept as a second segment rather than copied behind a few
 * unconsumed bytes. Smaller ones are cheaper to copy than to search in two pieces.
 */
const SEGMENT_MIN = 512;

/** Ranges up to this many bytes are copied in JavaScript: cheaper than a native call. */
const SHORT_COPY = 48;

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : new View(chunk.buffer, chunk.byteOffset, chunk.length);
}

/**
 * Bytes received but not yet consumed, with the operations a decoder needs: search, peek and
 * remove from the front.
 *
 * Frames are handed out as views of the received chunks (no copy) wherever a frame lies within
 * one chunk, and a search is a native `Buffer.indexOf` call. The first chunk pushed into an
 * empty accumulator is kept as it is. A chunk pushed behind a few unconsumed bytes (the start
 * of a frame cut by the chunk boundary) is kept as it is too, as a second segment: only the
 * frame that spans the two segments is copied, when it is taken, and the frames after it are
 * views of the new chunk again. Otherwise (a long frame arriving in many chunks) chunks are
 * appended to an owned buffer that grows by doubling, so a long frame costs linear time.
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
  // The head segment: bytes #start..#end of #buf.
  #buf: Buffer = EMPTY;
  /** `#buf.buffer` and `#buf.byteOffset`, cached: views are made from them. */
  #ab: ArrayBufferLike = EMPTY.buffer;
  #base = EMPTY.byteOffset;
  #start = 0;
  #end = 0;
  /** `true` when `#buf` was allocated here, so the space after `#end` may be written. */
  #owned = false;
  // The tail segment, when there is one: bytes #tailStart.. of a chunk kept as it is. It is
  // never empty, and only exists behind a non-empty head.
  #tail: Buffer | undefined;
  #tailStart = 0;
  #consumed = 0;

  /** Number of unconsumed bytes. */
  get length(): number {
    const tail = this.#tail;
    const head = this.#end - this.#start;
    return tail === undefined ? head : head + tail.length - this.#tailStart;
  }

  /** Total number of bytes ever removed from the front (by take, skip, takeAll, clear). */
  get consumed(): number {
    return this.#consumed;
  }

  /** Append `chunk`. Copies it only when a long frame is being accumulated. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    if (this.#start === this.#end) {
      this.#setBuffer(asBuffer(chunk), false);
      this.#start = 0;
      this.#end = n;
      return;
    }
    if (this.#tail !== undefined) this.#merge();
    if (this.#owned && this.#buf.length - this.#end >= n) {
      this.#buf.set(chunk, this.#end);
      this.#end += n;
      return;
    }
    const pending = this.#end - this.#start;
    if (pending <= n && n >= SEGMENT_MIN) {
      // A frame cut by the chunk boundary: keep the chunk, copy only that frame when taken.
      this.#tail = asBuffer(chunk);
      this.#tailStart = 0;
      return;
    }
    this.#grow(pending + n);
    this.#buf.set(chunk, this.#end);
    this.#end += n;
  }

  /**
   * Index (from the front) of the first occurrence of `needle` at or after `from`, or -1.
   * `needle` is a byte value or a byte sequence. Each segment is searched by the one scan
   * routine of the framing layer (`search` in `bytes.ts`: a JavaScript loop over a few bytes,
   * the native search over more, and for a short sequence such as `"\r\n"` a single-byte
   * search for its last byte); only an occurrence split across the two segments is matched
   * byte by byte.
   */
  indexOf(needle: number | Uint8Array, from = 0): number {
    // Kept small so that a decoder's call inlines it: once per line on the hot path.
    if (this.#tail !== undefined) return this.#indexOfSpanning(needle, from);
    const start = this.#start;
    const end = this.#end;
    const s = from > 0 ? start + from : start;
    if (s >= end) return -1;
    const i =
      typeof needle === "number"
        ? searchByte(this.#buf, this.#ab, this.#base, s, end, needle)
        : searchSequence(this.#buf, this.#ab, this.#base, s, end, needle);
    return i < 0 ? -1 : i - start;
  }

  /** {@link Accumulator.indexOf} over two segments: each searched, then the seam between them. */
  #indexOfSpanning(needle: number | Uint8Array, from: number): number {
    const start = this.#start;
    const end = this.#end;
    const s = from > 0 ? start + from : start;
    const tail = this.#tail!;
    const head = end - start;
    if (s < end) {
      const i = search(this.#buf, this.#ab, this.#base, s, end, needle);
      if (i >= 0) return i - start;
    }
    // Occurrences that start in the head and end in the tail.
    const n = typeof needle === "number" ? 1 : needle.length;
    const length = this.length;
    for (let at = Math.max(from, head - n + 1, 0); at < head && at + n <= length; at++) {
      if (this.#matchesAt(at, needle, n)) return at;
    }
    const t = this.#tailStart + Math.max(from - head, 0);
    if (t >= tail.length) return -1;
    const i = search(tail, tail.buffer, tail.byteOffset, t, tail.length, needle);
    return i < 0 ? -1 : i - this.#tailStart + head;
  }

  /** Index of the last occurrence of `needle`, or -1. */
  lastIndexOf(needle: number | Uint8Array): number {
    if (this.length === 0) return -1;
    return this.peek().lastIndexOf(needle);
  }

  /** The byte at `index` from the front (undefined past the end). */
  at(index: number): number | undefined {
    if (index < 0) return undefined;
    const head = this.#end - this.#start;
    if (index < head) return this.#buf[this.#start + index];
    const tail = this.#tail;
    if (tail === undefined) return undefined;
    return tail[this.#tailStart + index - head];
  }

  /** Read an unsigned big-endian integer of `byteLength` (1 to 6) bytes at `offset`, without consuming. */
  readUIntBE(offset: number, byteLength: number): number {
    if (offset < 0 || offset + byteLength > this.length) {
      throw new RangeError(
        `cannot read ${byteLength} bytes at ${offset}: only ${this.length} buffered`,
      );
    }
    if (offset + byteLength <= this.#end - this.#start)
      return this.#buf.readUIntBE(this.#start + offset, byteLength);
    let value = 0;
    for (let k = 0; k < byteLength; k++) value = value * 256 + this.at(offset + k)!;
    return value;
  }

  /** A view of the first `n` bytes (default: all), without consuming them. */
  peek(n: number = this.length): Buffer {
    if (n > this.#end - this.#start && this.#tail !== undefined) this.#merge();
    const avail = this.#end - this.#start;
    if (n > avail) n = avail;
    return new View(this.#ab, this.#base + this.#start, n);
  }

  /** Remove the first `n` bytes and return them as a view (no copy within a chunk). */
  take(n: number): Buffer {
    return this.takeFrame(n, 0);
  }

  /**
   * Remove the first `n + skip` bytes and return the first `n` as a view: a frame followed by
   * its terminator, in one step.
   */
  takeFrame(n: number, skip: number): Buffer {
    const start = this.#start;
    let out: Buffer;
    if (n <= this.#end - start) {
      out = new View(this.#ab, this.#base + start, n);
    } else if (this.#tail === undefined) {
      out = new View(this.#ab, this.#base + start, this.#end - start);
    } else {
      out = this.#copyFront(Math.min(n, this.length));
    }
    this.#advance(n + skip);
    return out;
  }

  /** Remove the first `n` bytes. */
  skip(n: number): void {
    this.#advance(n);
  }

  /** Remove and return everything buffered. */
  takeAll(): Buffer {
    return this.takeFrame(this.length, 0);
  }

  /** Drop everything buffered. */
  clear(): void {
    this.#advance(this.length);
  }

  /** Remove up to `n` bytes from the front. */
  #advance(n: number): void {
    if (n <= 0) return;
    const head = this.#end - this.#start;
    if (n < head) {
      this.#start += n;
      this.#consumed += n;
      return;
    }
    this.#consumed += head;
    const tail = this.#tail;
    if (tail !== undefined) {
      // The head is gone: the tail becomes the head.
      const fromTail = Math.min(n - head, tail.length - this.#tailStart);
      this.#consumed += fromTail;
      this.#setBuffer(tail, false);
      this.#start = this.#tailStart + fromTail;
      this.#end = tail.length;
      this.#tail = undefined;
      this.#tailStart = 0;
      if (this.#start < this.#end) return;
    }
    // Release the storage: a drained accumulator holds no memory.
    this.#setBuffer(EMPTY, false);
    this.#start = 0;
    this.#end = 0;
  }

  /** A copy of the first `n` bytes, which span the head and the tail. */
  #copyFront(n: number): Buffer {
    const head = this.#end - this.#start;
    const out = Buffer.allocUnsafe(n);
    const tail = this.#tail!;
    const t = this.#tailStart;
    if (n <= 2 * SHORT_COPY) {
      // A line cut by a chunk boundary: two byte loops cost less than two `copy` calls.
      const buf = this.#buf;
      const start = this.#start;
      for (let k = 0; k < head; k++) out[k] = buf[start + k]!;
      for (let k = head; k < n; k++) out[k] = tail[t + k - head]!;
      return out;
    }
    this.#buf.copy(out, 0, this.#start, this.#end);
    tail.copy(out, head, t, t + n - head);
    return out;
  }

  /** `true` when `needle` (of length `n`) occurs at `at` from the front. */
  #matchesAt(at: number, needle: number | Uint8Array, n: number): boolean {
    if (typeof needle === "number") return this.at(at) === needle;
    for (let k = 0; k < n; k++) if (this.at(at + k) !== needle[k]) return false;
    return true;
  }

  /** Make the head and the tail one owned region. */
  #merge(): void {
    const tail = this.#tail!;
    const rest = tail.length - this.#tailStart;
    this.#tail = undefined;
    this.#tailStart = 0;
    const needed = this.#end - this.#start + rest;
    if (!(this.#owned && this.#buf.length - this.#end >= rest)) this.#grow(needed);
    tail.copy(this.#buf, this.#end, tail.length - rest, tail.length);
    this.#end += rest;
  }

  /** Move the head into a new owned buffer with room for `needed` bytes or more. */
  #grow(needed: number): void {
    const pending = this.#end - this.#start;
    // Double so that a long frame arriving in small chunks is copied O(log n) times.
    const capacity = Math.max(needed, pending * 2, MIN_CAPACITY);
    const next = Buffer.allocUnsafe(capacity);
    this.#buf.copy(next, 0, this.#start, this.#end);
    this.#setBuffer(next, true);
    this.#start = 0;
    this.#end = pending;
  }

  #setBuffer(buf: Buffer, owned: boolean): void {
    this.#buf = buf;
    this.#ab = buf.buffer;
    this.#base = buf.byteOffset;
    this.#owned = owned;
  }
}
