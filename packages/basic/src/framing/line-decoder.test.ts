import { forEveryChunking } from "@torsion/test-utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesFrom, chunkSizes, feedDecoder, splitBySizes } from "../../test/chunking.ts";
import { Accumulator } from "./accumulator.ts";
import { DecodeError, IncompleteFrameError } from "./decoder.ts";
import { LineDecoder, LineTooLongError } from "./line-decoder.ts";

/** Feed chunks, collecting lines (as latin1 strings); returns them and the error that stopped it, if any. */
function feed(decoder: LineDecoder, chunks: Buffer[]) {
  const { frames, error, acc } = feedDecoder(decoder, chunks);
  return { lines: frames.map((l) => l.toString("latin1")), error, acc };
}

describe("LineDecoder", () => {
  it("splits on \\r\\n by default, in every chunk size", () => {
    const input = Buffer.from("hello\r\nworld\r\n\r\nlast");
    forEveryChunking(input, (chunks) => {
      const { lines, acc } = feed(new LineDecoder(), chunks);
      expect(lines).toEqual(["hello", "world", ""]);
      expect(acc.peek().toString()).toBe("last");
    });
  });

  it("splits on exactly the delimiter: a bare \\n or \\r is part of the line", () => {
    const { lines } = feed(new LineDecoder(), [Buffer.from("a\nb\rc\r\n")]);
    expect(lines).toEqual(["a\nb\rc"]);
  });

  it("accepts any delimiter, including one that repeats its own start", () => {
    const input = Buffer.from("xababyabababz");
    forEveryChunking(input, (chunks) => {
      const { lines, acc } = feed(new LineDecoder({ delimiter: "abab" }), chunks);
      expect(lines).toEqual(["x", "y"]);
      expect(acc.peek().toString()).toBe("abz");
    });
  });

  it("accepts a line of exactly the maximum length, in every chunk size", () => {
    const input = Buffer.from("xxxx\r\nyy\r\n");
    forEveryChunking(input, (chunks) => {
      expect(feed(new LineDecoder({ maxLength: 4 }), chunks).lines).toEqual(["xxxx", "yy"]);
    });
  });

  it("fails a complete line one byte over the maximum, whatever the chunking", () => {
    const input = Buffer.from("ok\r\nxxxxx\r\n");
    forEveryChunking(input, (chunks) => {
      const { lines, error } = feed(new LineDecoder({ maxLength: 4 }), chunks);
      expect(lines).toEqual(["ok"]);
      expect(error).toBeInstanceOf(LineTooLongError);
    });
  });

  it("waits for an unterminated line of maximum + delimiter - 1 bytes (the delimiter may be arriving)", () => {
    const { error, acc } = feed(new LineDecoder({ maxLength: 4 }), [Buffer.from("xxxx\r")]);
    expect(error).toBeUndefined();
    expect(acc.length).toBe(5);
  });

  it("fails at maximum + delimiter length buffered bytes with no delimiter, with both numbers in the message", () => {
    const { error } = feed(new LineDecoder({ maxLength: 4 }), [
      Buffer.from("xxxx"),
      Buffer.from("xx"),
    ]);
    expect(error).toBeInstanceOf(LineTooLongError);
    expect((error as LineTooLongError).terminated).toBe(false);
    expect((error as Error).message).toBe(
      "line length (at least 6, no delimiter yet) exceeds the maximum (4)",
    );
    const done = feed(new LineDecoder({ maxLength: 4 }), [Buffer.from("xxxxxxx\r\n")])
      .error as LineTooLongError;
    expect(done.message).toBe("line length (7) exceeds the maximum (4)");
    expect(done.terminated).toBe(true);
  });

  it("consumes nothing when it fails", () => {
    const acc = new Accumulator();
    acc.push(Buffer.from("xxxxxx"));
    expect(() => new LineDecoder({ maxLength: 4 }).decode(acc)).toThrow(LineTooLongError);
    expect(acc.length).toBe(6);
  });

  it("has a limit by default, and no limit only when asked for by name", () => {
    expect(new LineDecoder().maxLength).toBe(16384);
    const { lines } = feed(new LineDecoder({ maxLength: "unlimited" }), [
      Buffer.from(`${"x".repeat(100000)}\r\n`),
    ]);
    expect(lines[0]).toHaveLength(100000);
    expect(() => new LineDecoder({ maxLength: -1 })).toThrow(RangeError);
    expect(() => new LineDecoder({ delimiter: "" })).toThrow(RangeError);
  });

  it("stays correct when its owner removes bytes behind its back", () => {
    const decoder = new LineDecoder({ delimiter: "\n" });
    const acc = new Accumulator();
    acc.push(Buffer.from("abcdef"));
    expect(decoder.decode(acc)).toBeUndefined();
    acc.take(4); // e.g. LineReceiver's raw mode or clearLineBuffer
    acc.push(Buffer.from("\n"));
    expect(decoder.decode(acc)?.toString()).toBe("ef");
  });

  it("scans each byte once: a long line in small chunks costs linear time", () => {
    // Counted, not timed: every search starts where the previous one stopped.
    const decoder = new LineDecoder({ maxLength: "unlimited" });
    const acc = new Accumulator();
    const searched: number[] = [];
    const original = acc.indexOf.bind(acc);
    acc.indexOf = (needle, from = 0) => {
      searched.push(acc.length - from);
      return original(needle, from);
    };
    const chunk = Buffer.alloc(1024, "x");
    for (let i = 0; i < 1600; i++) {
      acc.push(chunk);
      expect(decoder.decode(acc)).toBeUndefined();
    }
    acc.push(Buffer.from("\r\n"));
    expect(decoder.decode(acc)).toHaveLength(1600 * 1024);
    expect(searched.reduce((a, b) => a + b, 0)).toBeLessThan(1600 * 1024 + 1600 * 2 + 10);
  });

  it("delivers a final unterminated line at end of input only when asked to", () => {
    const acc = new Accumulator();
    acc.push(Buffer.from("tail"));
    expect(() => new LineDecoder().decodeEof(acc)).toThrow(IncompleteFrameError);
    expect(new LineDecoder({ finalLine: true }).decodeEof(acc)?.toString()).toBe("tail");
    expect(new LineDecoder().decodeEof(acc)).toBeUndefined();
  });

  it("property: any list of lines, any chunking, decodes to the same lines", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ maxLength: 30 }).map((s) => s.replace(/\r\n/g, "")),
          { maxLength: 20 },
        ),
        chunkSizes,
        (lines, sizes) => {
          const input = Buffer.from(lines.map((l) => `${l}\r\n`).join(""), "latin1");
          const out = feed(new LineDecoder({ maxLength: 64 }), splitBySizes(input, sizes));
          expect(out.error).toBeUndefined();
          expect(out.lines).toEqual(lines.map((l) => Buffer.from(l, "latin1").toString("latin1")));
        },
      ),
    );
  });

  it("property: any bytes either frame, wait or fail with LineTooLongError, buffering at most limit + delimiter + one chunk", () => {
    fc.assert(
      fc.property(
        bytesFrom([13, 10, 120]),
        chunkSizes,
        fc.integer({ min: 0, max: 40 }),
        (input, sizes, max) => {
          const decoder = new LineDecoder({ maxLength: max });
          const acc = new Accumulator();
          for (const c of splitBySizes(input, sizes)) {
            expect(acc.length).toBeLessThan(max + 2);
            acc.push(c);
            try {
              while (decoder.decode(acc) !== undefined);
            } catch (err) {
              expect(err).toBeInstanceOf(LineTooLongError);
              expect(err).toBeInstanceOf(DecodeError);
              return;
            }
          }
        },
      ),
    );
  });

  it("property: the outcome does not depend on the chunking", () => {
    fc.assert(
      fc.property(bytesFrom([13, 10]), chunkSizes, (input, sizes) => {
        const whole = feed(new LineDecoder({ maxLength: 10 }), [input]);
        const split = feed(new LineDecoder({ maxLength: 10 }), splitBySizes(input, sizes));
        expect(split.lines).toEqual(whole.lines);
        expect(split.error === undefined).toBe(whole.error === undefined);
        if (whole.error === undefined) expect(split.acc.peek()).toEqual(whole.acc.peek());
      }),
    );
  });
});
