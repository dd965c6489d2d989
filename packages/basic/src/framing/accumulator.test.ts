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
});
