import { describe, expect, it } from "vitest";
import { chunksOf, forEveryChunking } from "./chunks.ts";

describe("chunksOf", () => {
  it("splits into consecutive chunks that concatenate back to the input", () => {
    const input = Buffer.from("hello world");
    for (let size = 1; size <= input.length + 1; size++) {
      const chunks = chunksOf(input, size);
      expect(Buffer.concat(chunks)).toEqual(input);
      expect(chunks.every((c) => c.length <= size && c.length > 0)).toBe(true);
    }
  });
  it("rejects a chunk size below one", () => {
    expect(() => chunksOf(Buffer.from("x"), 0)).toThrow(RangeError);
  });
  it("forEveryChunking visits every size from 1 to the input length", () => {
    const sizes: number[] = [];
    forEveryChunking(Buffer.from("abcd"), (_c, size) => sizes.push(size));
    expect(sizes).toEqual([1, 2, 3, 4]);
  });
});
