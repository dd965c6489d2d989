import { forEveryChunking } from "@torsion/test-utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesFrom, chunkSizes, feedDecoder, splitBySizes } from "../../test/chunking.ts";
import { Accumulator } from "./accumulator.ts";
import { NetstringDecoder, NetstringParseError } from "./netstring-decoder.ts";
import { encodeNetstring } from "./netstring-encoder.ts";

function feed(chunks: Buffer[], maxLength?: number) {
  return feedDecoder(new NetstringDecoder({ maxLength }), chunks);
}

const fails = (s: string, maxLength?: number): unknown =>
  feed([Buffer.from(s, "latin1")], maxLength).error;

describe("encodeNetstring", () => {
  it("writes <length>:<payload>,", () => {
    expect(encodeNetstring("hello").toString()).toBe("5:hello,");
    expect(encodeNetstring(Buffer.alloc(0)).toString()).toBe("0:,");
  });
});

describe("NetstringDecoder", () => {
  it("decodes netstrings in every chunk size, including empty and nested ones", () => {
    const payloads = ["hello", "", "1:a,", ":today", "a".repeat(515)];
    const input = Buffer.concat(payloads.map((p) => encodeNetstring(p)));
    forEveryChunking(
      input,
      (chunks) => {
        const { frames, error } = feed(chunks, 699);
        expect(error).toBeUndefined();
        expect(frames.map((f) => f.toString())).toEqual(payloads);
      },
      64,
    );
  });

  it("waits for a length split across chunks, and for the comma", () => {
    expect(
      feed(["1", "0:01234", "56789", ","].map((s) => Buffer.from(s))).frames.map(String),
    ).toEqual(["0123456789"]);
    const partial = feed([Buffer.from("4:abcd")]);
    expect(partial.frames).toEqual([]);
    expect(partial.error).toBeUndefined();
  });

  it("rejects what Twisted rejects", () => {
    for (const bad of [
      "9999999999999999999999",
      "abc",
      "4:abcde",
      "2:aaa,",
      "0:a,",
      ":aaa,",
      "3aaa,",
      "aaa,",
      "aaa",
      "01:a,",
      "00:,",
    ]) {
      expect(fails(bad), bad).toBeInstanceOf(NetstringParseError);
    }
  });

  it("rejects a leading zero as soon as the second digit arrives", () => {
    expect(fails("0")).toBeUndefined();
    expect((fails("00") as Error).message).toBe("netstring length has a leading zero");
  });

  it("accepts a length equal to the maximum and rejects one over it before the colon, with both numbers", () => {
    expect(fails("12:", 12)).toBeUndefined();
    expect((fails("13", 12) as Error).message).toBe(
      "netstring length (13) exceeds the maximum (12)",
    );
    expect(fails("1000:", 11)).toBeInstanceOf(NetstringParseError);
    expect(fails("100000")).toBeInstanceOf(NetstringParseError);
    expect(fails("99999:")).toBeUndefined();
  });

  it("names the wrong byte when the comma is missing", () => {
    expect((fails("2:abc") as Error).message).toBe(
      'netstring payload of length 2 is followed by byte 0x63, not ","',
    );
  });

  it("property: any list of payloads, any chunking, decodes to the same payloads", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 60 }), { maxLength: 15 }),
        chunkSizes,
        (payloads, sizes) => {
          const input = Buffer.concat(payloads.map((p) => encodeNetstring(p)));
          const { frames, error } = feed(splitBySizes(input, sizes), 100);
          expect(error).toBeUndefined();
          expect(frames).toEqual(payloads.map((p) => Buffer.from(p)));
        },
      ),
    );
  });

  it("property: any bytes either frame, wait or fail with NetstringParseError, buffering at most limit + header + one chunk", () => {
    fc.assert(
      fc.property(bytesFrom([0x30, 0x31, 0x32, 0x3a, 0x2c]), chunkSizes, (input, sizes) => {
        const max = 20;
        const decoder = new NetstringDecoder({ maxLength: max });
        const acc = new Accumulator();
        for (const c of splitBySizes(input, sizes)) {
          // "20:" + 20 bytes, still waiting for the comma.
          expect(acc.length).toBeLessThanOrEqual(max + 3);
          acc.push(c);
          try {
            while (decoder.decode(acc) !== undefined);
          } catch (err) {
            expect(err).toBeInstanceOf(NetstringParseError);
            return;
          }
        }
      }),
    );
  });

  it("property: the outcome does not depend on the chunking", () => {
    fc.assert(
      fc.property(bytesFrom([0x30, 0x31, 0x32, 0x3a, 0x2c]), chunkSizes, (input, sizes) => {
        const whole = feed([input], 20);
        const split = feed(splitBySizes(input, sizes), 20);
        expect(split.frames).toEqual(whole.frames);
        expect(split.error === undefined).toBe(whole.error === undefined);
      }),
    );
  });
});
