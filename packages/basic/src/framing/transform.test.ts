import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { IncompleteFrameError } from "./decoder.ts";
import { IntPrefixDecoder } from "./int-prefix-decoder.ts";
import { encodeIntPrefixed } from "./int-prefix-encoder.ts";
import { LineDecoder, LineTooLongError } from "./line-decoder.ts";
import { DecoderTransform } from "./transform.ts";

async function collect<T>(source: Iterable<Buffer | string>, t: DecoderTransform<T>): Promise<T[]> {
  const out: T[] = [];
  await pipeline(
    Readable.from(source, { objectMode: false }),
    t,
    async (frames: AsyncIterable<T>) => {
      for await (const f of frames) out.push(f);
    },
  );
  return out;
}

describe("DecoderTransform", () => {
  it("turns a byte stream into frames, whatever the chunking", async () => {
    const input = "one\r\ntwo\r\nthree\r\n";
    for (let size = 1; size <= input.length; size++) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < input.length; i += size)
        chunks.push(Buffer.from(input.slice(i, i + size)));
      const lines = await collect(chunks, new DecoderTransform(new LineDecoder()));
      expect(lines.map(String)).toEqual(["one", "two", "three"]);
    }
  });

  it("works with any decoder", async () => {
    const input = Buffer.concat([encodeIntPrefixed("ab", 2), encodeIntPrefixed("", 2)]);
    const frames = await collect(
      [input],
      new DecoderTransform(new IntPrefixDecoder({ prefixLength: 2 })),
    );
    expect(frames.map(String)).toEqual(["ab", ""]);
  });

  it("hands leftovers to decodeEof at the end", async () => {
    const lines = await collect(
      ["a\nb"],
      new DecoderTransform(new LineDecoder({ delimiter: "\n", finalLine: true })),
    );
    expect(lines.map(String)).toEqual(["a", "b"]);
  });

  it("fails with IncompleteFrameError on leftovers the decoder does not accept", async () => {
    await expect(
      collect(["a\nb"], new DecoderTransform(new LineDecoder({ delimiter: "\n" }))),
    ).rejects.toBeInstanceOf(IncompleteFrameError);
  });

  it("fails with the decoder's error on bad input", async () => {
    const t = new DecoderTransform(new LineDecoder({ maxLength: 3 }));
    await expect(collect(["abcdefgh"], t)).rejects.toBeInstanceOf(LineTooLongError);
    expect(t.bufferedBytes).toBe(0);
  });
});
