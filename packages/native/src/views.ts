/**
 * The Buffers a {@link NativeSocket} hands out: views of an ArrayBuffer the addon read into.
 *
 * They are made as Node makes its own (`FastBuffer`, a `Uint8Array` subclass whose prototype
 * is `Buffer.prototype`), not with `Buffer#subarray` or `Buffer.from(arrayBuffer, ...)`: those
 * go through `.buffer` (a runtime call), offset checks and argument dispatch, three times the
 * cost of the construction itself. The result is a Buffer in every respect (`Buffer.isBuffer`,
 * `instanceof Buffer`, `constructor === Buffer`, every `Buffer.prototype` method).
 *
 * @module
 * @internal
 */
import type { Binding } from "./binding.ts";

class ReadBuffer extends Uint8Array {
  // A fixed arity: no rest-argument spreading on the hot path.
  constructor(buffer: ArrayBuffer, byteOffset: number, length: number) {
    super(buffer, byteOffset, length);
  }
}
Object.setPrototypeOf(ReadBuffer.prototype, Buffer.prototype);
// As Node's FastBuffer: `constructor` (and so species, for `map`/`filter`) is Buffer.
Object.defineProperty(ReadBuffer.prototype, "constructor", {
  value: Buffer,
  writable: true,
  configurable: true,
});

/** A Buffer of `length` bytes of `buffer` from `byteOffset`, the caller's to keep. */
export function ownedView(buffer: ArrayBuffer, byteOffset: number, length: number): Buffer {
  return new ReadBuffer(buffer, byteOffset, length) as unknown as Buffer;
}

// Borrowed views are valid only during the call they are passed to, so one view per length
// serves every call: the borrow buffer never moves and every borrowed read starts at offset 0.
// A small direct-mapped cache keyed by length (ping-pong traffic repeats a few lengths).
const CACHE_SIZE = 64;
const cache: (Buffer | undefined)[] = new Array(CACHE_SIZE).fill(undefined);
let borrowBuffer: ArrayBuffer | undefined;

/** The first `length` bytes of the addon's borrow buffer, valid until the next borrowed read. */
export function borrowedView(binding: Binding, length: number): Buffer {
  borrowBuffer ??= binding.borrowBuffer();
  const i = length & (CACHE_SIZE - 1);
  let view = cache[i];
  if (view === undefined || view.length !== length) {
    view = new ReadBuffer(borrowBuffer, 0, length) as unknown as Buffer;
    cache[i] = view;
  }
  return view;
}

/** Whether `chunk` is one of the views {@link borrowedView} hands out (then it starts at 0). */
export function isBorrowedView(chunk: Uint8Array): boolean {
  return cache[chunk.length & (CACHE_SIZE - 1)] === chunk;
}

/** Whether `chunk` is any view of the borrow buffer (asked off the hot path: `.buffer` is slow). */
export function isBorrowed(chunk: Uint8Array): boolean {
  return borrowBuffer !== undefined && chunk.buffer === borrowBuffer;
}
