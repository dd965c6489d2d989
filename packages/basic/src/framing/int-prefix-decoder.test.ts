import { forEveryChunking } from "@torsion/test-utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesFrom, chunkSizes, feedDecoder, splitBySizes } from "../../test/chunking.ts";
import { Accumulator } from "./accumulator.ts";
import {
  IntPrefixDecoder,
  LengthLimitExceededError,
  type PrefixLength,
} from "./int-prefix-decoder.ts";
import { encodeIntPrefixed, StringTooLongError } from "./int-prefix-encoder.ts";

function feed(chunks: Buffer[], prefixLength: PrefixLength, maxLength?: number) {
  return feedDecoder(new IntPrefixDecoder({ prefixLength, maxLength }), chunks);
}

const widths: PrefixLength[] = [1, 2, 4];

describe("encodeIntPrefixed", () => {
  it("writes an unsigned big-endian length", () => {
    expect(encodeIntPrefixed("foo", 4)).toEqual(Buffer.from("\x00\x00\x00\x03foo", "latin1"));
    expect(encodeIntPrefixed("foo", 2)).toEqual(Buffer.from("\x00\x03foo", "latin1"));
    expect(encodeIntPrefixed("foo", 1)).toEqual(Buffer.from("\x03foo", "latin1"));
    expect(encodeIntPrefixed(Buffer.alloc(255), 1)[0]).toBe(255);
    expect(() => encodeIntPrefixed(Buffer.alloc(256), 1)).toThrow(StringTooLongError);
    expect(() => encodeIntPrefixed(Buffer.alloc(256), 1)).toThrow(
      "string length (256) exceeds the maximum (255)",
    );
  });
});

describe("IntPrefixDecoder", () => {
  for (const p of widths) {
    it(`decodes ${8 * p}-bit prefixed frames in every chunk size, zero-length ones included`, () => {
      const payloads = ["a", "", "b".repeat(16), "ubar"];
      const input = Buffer.concat(payloads.map((s) => encodeIntPrefixed(s, p)));
      forEveryChunking(input, (chunks) => {
        const { frames, error } = feed(chunks, p);
        expect(error).toBeUndefined();
        expect(frames.map(String)).toEqual(payloads);
      });
    });

    it(`fails a ${8 * p}-bit prefix over the maximum as soon as the prefix arrives, consuming nothing`, () => {
      const prefix = encodeIntPrefixed(Buffer.alloc(11), p).subarray(0, p);
      const { error, acc } = feed([prefix], p, 10);
      expect(error).toBeInstanceOf(LengthLimitExceededError);
      expect((error as LengthLimitExceededError).length).toBe(11);
      expect((error as Error).message).toBe("frame length (11) exceeds the maximum (10)");
      expect(acc.length).toBe(p);
    });
  }

  it("reads the 32-bit prefix as unsigned", () => {
    const { error } = feed([Buffer.from([0xff, 0xff, 0xff, 0xff])], 4);
    expect((error as LengthLimitExceededError).length).toBe(0xffffffff);
  });

  it("waits on partial input", () => {
    for (const [p, s] of [
      [4, "\x00\x00\x00"],
      [2, "\x00"],
      [1, "\x08dzadz"],
      [4, "hello there"],
    ] as const) {
      const { frames, error } = feed([Buffer.from(s, "latin1")], p, 0xffffffff);
      expect(frames).toEqual([]);
      expect(error).toBeUndefined();
    }
  });

  it("property: any list of payloads, any chunking, decodes to the same payloads", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...widths),
        fc.array(fc.uint8Array({ maxLength: 255 }), { maxLength: 15 }),
        chunkSizes,
        (p, payloads, sizes) => {
          const input = Buffer.concat(payloads.map((x) => encodeIntPrefixed(x, p)));
          const { frames, error } = feed(splitBySizes(input, sizes), p, 255);
          expect(error).toBeUndefined();
          expect(frames).toEqual(payloads.map((x) => Buffer.from(x)));
        },
      ),
    );
  });

  it("property: any bytes either frame, wait or fail with LengthLimitExceededError, buffering at most limit + prefix + one chunk", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...widths),
        bytesFrom([0, 1, 2, 3]),
        chunkSizes,
        (p, input, sizes) => {
          const max = 30;
          const decoder = new IntPrefixDecoder({ prefixLength: p, maxLength: max });
          const acc = new Accumulator();
          for (const c of splitBySizes(input, sizes)) {
            expect(acc.length).toBeLessThan(max + p);
            acc.push(c);
            try {
              while (decoder.decode(acc) !== undefined);
            } catch (err) {
              expect(err).toBeInstanceOf(LengthLimitExceededError);
              return;
            }
          }
        },
      ),
    );
  });
});
