/**
 * Split `input` into consecutive chunks of `size` bytes (the last may be shorter).
 * Protocol tests feed every chunk size from 1 to `input.length` through this.
 */
export function chunksOf(input: Uint8Array, size: number): Buffer[] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

/**
 * Call `run(chunks, size)` once for every chunk size from 1 to `input.length` (or `maxSize`).
 * Use it to prove a protocol's output does not depend on how its input was split.
 */
export function forEveryChunking(
  input: Uint8Array,
  run: (chunks: Buffer[], size: number) => void,
  maxSize: number = input.length,
): void {
  const top = Math.max(1, Math.min(maxSize, input.length));
  for (let size = 1; size <= top; size++) run(chunksOf(input, size), size);
}
