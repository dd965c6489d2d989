import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Accumulator } from "./accumulator.ts";

describe("Accumulator", () => {
  it("keeps the first chunk pushed into an empty accumulator without copying it", () => {
    const acc = new Accumulator();
    const chunk = Buffer.from("hello");
    acc.push(chunk);
    const view = acc.take(5);
    expect(view.buffer).toBe(chunk.buffer);
    expect(view.byteOffset).toBe(chunk.byteOffset);
  });

  it("appends behind unconsumed bytes and reads across the chunk boundary", () => {
    const acc = new Accumulator();
    acc.push(Buffer.from("ab\r"));
    acc.push(Buffer.from("\ncd"));
    expect(acc.length).toBe(6);
    expect(acc.indexOf(Buffer.from("\r\n"))).toBe(2);
    expect(acc.take(2).toString()).toBe("ab");
    acc.skip(2);
    expect(acc.takeAll().toString()).toBe("cd");
    expect(acc.length).toBe(0);
  });

  it("takeFrame returns a frame and drops its terminator in one step", () => {
    const acc = new Accumulator();
    acc.push(Buffer.from("abc,def"));
    expect(acc.takeFrame(3, 1).toString()).toBe("abc");
    expect(acc.consumed).toBe(4);
    expect(acc.takeFrame(3, 5).toString()).toBe("def");
    expect(acc.length).toBe(0);
  });

  it("counts every byte removed from the front in consumed", () => {
    const acc = new Accumulator();
    acc.push(Buffer.from("0123456789"));
    acc.take(3);
    acc.skip(2);
    acc.push(Buffer.from("ab"));
    expect(acc.consumed).toBe(5);
    acc.clear();
    expect(acc.consumed).toBe(12);
    expect(acc.length).toBe(0);
  });

  it("does not find a needle in the unwritten part of its storage", () => {
    const acc = new Accumulator();
    acc.push(Buffer.from("x"));
    acc.push(Buffer.from("y")); // now owned, with spare capacity
    expect(acc.indexOf(0)).toBe(-1);
    expect(acc.indexOf(Buffer.from("y"), 0)).toBe(1);
    expect(acc.indexOf(Buffer.from("y"), 2)).toBe(-1);
  });

  it("finds a sequence in long and short ranges, past near misses", () => {
    for (const len of [3, 47, 48, 49, 100, 5000]) {
      const acc = new Accumulator();
      const body = Buffer.alloc(len, "\n");
      acc.push(Buffer.concat([body, Buffer.from("\r\n")]));
      expect(acc.indexOf(Buffer.from("\r\n"))).toBe(len);
      expect(acc.indexOf(Buffer.from("\n\r\n"))).toBe(len - 1);
      expect(acc.indexOf(Buffer.from("\r\r"))).toBe(-1);
      expect(acc.indexOf(Buffer.from("\n\n\n\n\n\r"), 1)).toBe(len >= 5 ? len - 5 : -1);
    }
  });

  it("reads big-endian prefixes, bytes and the last occurrence", () => {
    const acc = new Accumulator();
    acc.push(Buffer.from([0, 1]));
    acc.push(Buffer.from([2, 3, 1]));
    expect(acc.readUIntBE(0, 4)).toBe(0x00010203);
    expect(acc.at(4)).toBe(1);
    expect(acc.at(5)).toBeUndefined();
    expect(acc.lastIndexOf(1)).toBe(4);
    expect(() => acc.readUIntBE(3, 4)).toThrow(RangeError);
    expect(acc.peek(2)).toEqual(Buffer.from([0, 1]));
    expect(acc.length).toBe(5);
  });

  it("never changes bytes it already handed out", () => {
    const acc = new Accumulator();
    acc.push(Buffer.from("aa"));
    acc.push(Buffer.from("bb"));
    const first = acc.take(3);
    acc.push(Buffer.from("c".repeat(5000)));
    acc.push(Buffer.from("d".repeat(10)));
    expect(first.toString()).toBe("aab");
    expect(acc.takeAll().toString()).toBe(`b${"c".repeat(5000)}${"d".repeat(10)}`);
  });

  it("behaves as a plain byte queue for any pushes and takes", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 40 }).map((b) => ({ push: b })),
            fc.nat(50).map((n) => ({ take: n })),
          ),
        ),
        (ops) => {
          const acc = new Accumulator();
          let model = Buffer.alloc(0);
          for (const op of ops) {
            if ("push" in op) {
              acc.push(op.push);
              model = Buffer.concat([model, op.push]);
            } else {
              const n = Math.min(op.take, model.length);
              expect(acc.take(op.take)).toEqual(model.subarray(0, n));
              model = model.subarray(n);
            }
            expect(acc.length).toBe(model.length);
            expect(acc.peek()).toEqual(model);
          }
        },
      ),
    );
  });

  it("keeps a long chunk pushed behind a cut frame as it is, and copies only the frame that spans both", () => {
    const acc = new Accumulator();
    acc.push(Buffer.from("abc\r\nde"));
    expect(acc.takeFrame(3, 2).toString()).toBe("abc");
    const chunk = Buffer.from(`f\r\n${"g".repeat(600)}\r\n`);
    acc.push(chunk);
    expect(acc.indexOf(Buffer.from("\r\n"))).toBe(3);
    expect(acc.takeFrame(3, 2).toString()).toBe("def");
    const next = acc.takeFrame(600, 2);
    expect(next.buffer).toBe(chunk.buffer); // a view of the chunk, not a copy
    expect(next.byteOffset).toBe(chunk.byteOffset + 3);
    expect(acc.length).toBe(0);
  });

  it("finds a delimiter split across a cut frame and a long chunk", () => {
    const acc = new Accumulator();
    acc.push(Buffer.from("xy\r"));
    acc.push(Buffer.from(`\n${"z".repeat(700)}`));
    expect(acc.indexOf(Buffer.from("\r\n"))).toBe(2);
    expect(acc.indexOf(Buffer.from("\r\n"), 3)).toBe(-1);
    expect(acc.indexOf(0x0a)).toBe(3);
    expect(acc.readUIntBE(1, 3)).toBe(0x790d0a);
    expect(acc.takeFrame(2, 2).toString()).toBe("xy");
    expect(acc.length).toBe(700);
  });

  it("behaves as a plain byte queue for any operations, long chunks included", () => {
    const needles = [0x0a, Buffer.from("\r\n"), Buffer.from("ab\n"), Buffer.from("aaaaa\n")];
    const chunkBytes = fc
      .array(fc.constantFrom(0x0a, 0x0d, 0x61, 0x62), { maxLength: 1200 })
      .map((xs) => Buffer.from(xs));
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            chunkBytes.map((b) => ({ op: "push" as const, b })),
            fc.nat(900).map((n) => ({ op: "take" as const, n })),
            fc.tuple(fc.nat(900), fc.nat(3)).map(([n, k]) => ({ op: "frame" as const, n, k })),
            fc.tuple(fc.nat(3), fc.nat(900)).map(([k, n]) => ({ op: "find" as const, k, n })),
            fc.nat(900).map((n) => ({ op: "at" as const, n })),
            fc.nat(900).map((n) => ({ op: "peek" as const, n })),
          ),
          { maxLength: 30 },
        ),
        (ops) => {
          const acc = new Accumulator();
          let model = Buffer.alloc(0);
          const handedOut: Array<[Buffer, Buffer]> = [];
          for (const o of ops) {
            switch (o.op) {
              case "push":
                acc.push(o.b);
                model = Buffer.concat([model, o.b]);
                break;
              case "take": {
                const n = Math.min(o.n, model.length);
                const got = acc.take(o.n);
                expect(got).toEqual(model.subarray(0, n));
                handedOut.push([got, Buffer.from(got)]);
                model = model.subarray(n);
                break;
              }
              case "frame": {
                const n = Math.min(o.n, model.length);
                expect(acc.takeFrame(o.n, o.k)).toEqual(model.subarray(0, n));
                model = model.subarray(Math.min(o.n + o.k, model.length));
                break;
              }
              case "find": {
                const needle = needles[o.k]!;
                const expected = model.indexOf(needle, o.n);
                expect(acc.indexOf(needle, o.n)).toBe(o.n >= model.length ? -1 : expected);
                if (typeof needle !== "number" && model.length >= 3 && o.n + 3 <= model.length)
                  expect(acc.readUIntBE(o.n, 3)).toBe(model.readUIntBE(o.n, 3));
                break;
              }
              case "at":
                expect(acc.at(o.n)).toBe(model[o.n]);
                break;
              case "peek":
                expect(acc.peek(o.n)).toEqual(model.subarray(0, Math.min(o.n, model.length)));
                break;
            }
            expect(acc.length).toBe(model.length);
          }
          expect(acc.peek()).toEqual(model);
          // Bytes handed out never change afterwards.
          for (const [view, copy] of handedOut) expect(view).toEqual(copy);
        },
      ),
      { numRuns: 300 },
    );
  });
  it("indexOf with a sequence finds what Buffer.indexOf finds, in one segment or two, from any offset", () => {
    // A small alphabet makes partial matches and matches across the chunk boundary common.
    const bytes = (min: number, max: number) =>
      fc
        .uint8Array({ minLength: min, maxLength: max })
        .map((a) => Buffer.from(a.map((b) => 97 + (b % 3))));
    fc.assert(
      fc.property(
        // Long chunks reach the native search; short ones the JavaScript loop and the owned buffer.
        fc.array(fc.oneof(bytes(0, 8), bytes(60, 300)), { minLength: 1, maxLength: 4 }),
        fc.nat(40),
        fc
          .uint8Array({ minLength: 1, maxLength: 5 })
          .map((a) => Buffer.from(a.map((b) => 97 + (b % 3)))),
        fc.nat(80),
        (chunks, skip, needle, from) => {
          const acc = new Accumulator();
          for (const c of chunks) acc.push(c);
          const drop = Math.min(skip, acc.length);
          acc.skip(drop);
          const rest = Buffer.concat(chunks).subarray(drop);
          const start = Math.min(from, rest.length);
          expect(acc.indexOf(needle, start)).toBe(rest.indexOf(needle, start));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
