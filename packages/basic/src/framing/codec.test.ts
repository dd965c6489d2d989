/** Each Encoder against its Decoder: encode, cut the bytes anyhow, decode, get the frames back. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkSizes, feedDecoder, splitBySizes } from "../../test/chunking.ts";
import type { Decoder } from "./decoder.ts";
import type { Encoder } from "./encoder.ts";
import { IntPrefixDecoder, type PrefixLength } from "./int-prefix-decoder.ts";
import { IntPrefixEncoder, StringTooLongError } from "./int-prefix-encoder.ts";
import { LineDecoder } from "./line-decoder.ts";
import { LineEncoder } from "./line-encoder.ts";
import { NetstringDecoder } from "./netstring-decoder.ts";
import { NetstringEncoder } from "./netstring-encoder.ts";
import { DecoderTransform } from "./transform.ts";

const payloads = (maxLength: number) =>
  fc.array(
    fc.uint8Array({ maxLength }).map((a) => Buffer.from(a)),
    { maxLength: 20 },
  );

/** The round-trip property for one codec. */
function roundTrips(
  encoder: Encoder<string | Uint8Array>,
  decoder: () => Decoder<Buffer>,
  frames: fc.Arbitrary<Buffer[]>,
): void {
  fc.assert(
    fc.property(frames, chunkSizes, (xs, sizes) => {
      const wire = Buffer.concat(xs.map((x) => encoder.encode(x)));
      const fed = feedDecoder(decoder(), splitBySizes(wire, sizes));
      expect(fed.error).toBeUndefined();
      expect(fed.frames).toEqual(xs);
      expect(fed.acc.length).toBe(0);
    }),
    { numRuns: 300 },
  );
}

describe("encode then decode, in random chunkings", () => {
  it("lines (CRLF, LF, a long delimiter), lines free of their delimiter", () => {
    for (const delimiter of ["\r\n", "\n", "--END--"]) {
      const d = Buffer.from(delimiter);
      const lines = payloads(200).map((xs) =>
        xs.filter((x) => !x.includes(d) && !endsWithPrefixOf(x, d)),
      );
      roundTrips(
        new LineEncoder({ delimiter }),
        () => new LineDecoder({ delimiter, maxLength: 200 }),
        lines,
      );
    }
  });

  it("netstrings", () => {
    roundTrips(
      new NetstringEncoder(),
      () => new NetstringDecoder({ maxLength: 300 }),
      payloads(300),
    );
  });

  for (const prefixLength of [1, 2, 4] as PrefixLength[]) {
    it(`${8 * prefixLength}-bit length prefixes`, () => {
      const max = prefixLength === 1 ? 255 : 600;
      roundTrips(
        new IntPrefixEncoder({ prefixLength }),
        () => new IntPrefixDecoder({ prefixLength, maxLength: max }),
        payloads(max),
      );
    });
  }

  it("through DecoderTransform too", async () => {
    const encoder = new NetstringEncoder();
    const xs = ["a", "", "b".repeat(700), "c"];
    const t = new DecoderTransform(new NetstringDecoder({ maxLength: 1000 }));
    const wire = Buffer.concat(xs.map((x) => encoder.encode(x)));
    for (const c of splitBySizes(wire, [1, 3, 7])) t.write(c);
    t.end();
    const got: string[] = [];
    for await (const frame of t) got.push((frame as Buffer).toString());
    expect(got).toEqual(xs);
  });
});

describe("encoders", () => {
  it("encode strings as UTF-8", () => {
    expect(new LineEncoder().encode("é")).toEqual(Buffer.from("c3a90d0a", "hex"));
    expect(new NetstringEncoder().encode("é")).toEqual(Buffer.from("2:\xc3\xa9,", "latin1"));
    expect(new IntPrefixEncoder({ prefixLength: 1 }).encode("é")).toEqual(
      Buffer.from("02c3a9", "hex"),
    );
  });
  it("refuse what a length prefix cannot hold, and bad options", () => {
    expect(() => new IntPrefixEncoder({ prefixLength: 1 }).encode(Buffer.alloc(256))).toThrow(
      StringTooLongError,
    );
    expect(() => new IntPrefixEncoder({ prefixLength: 3 as PrefixLength })).toThrow(RangeError);
    expect(() => new LineEncoder({ delimiter: "" })).toThrow(RangeError);
  });
});

/** `true` when `x` ends with a proper prefix of `d` (the decoder would join it with the delimiter). */
function endsWithPrefixOf(x: Buffer, d: Buffer): boolean {
  for (let k = 1; k < d.length; k++) {
    if (x.length >= k && x.subarray(x.length - k).equals(d.subarray(0, k))) return true;
  }
  return false;
}
