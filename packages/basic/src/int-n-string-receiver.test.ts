import { StringTransport } from "@torsion/core/testing";
import { forEveryChunking } from "@torsion/test-utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkSizes, splitBySizes } from "../test/chunking.ts";
import { StringTooLongError } from "./index.ts";
import {
  Int8StringReceiver,
  Int16StringReceiver,
  Int32StringReceiver,
  type IntNStringReceiver,
} from "./int-n-string-receiver.ts";

type Ctor = new () => IntNStringReceiver;

function tester(Base: Ctor) {
  return class extends (Base as unknown as new () => IntNStringReceiver & {
    prefixLength: 1 | 2 | 4;
    structFormat: string;
  }) {
    received: string[] = [];
    limits: number[] = [];
    override stringReceived(data: Buffer): void {
      this.received.push(data.toString("latin1"));
    }
  };
}

const cases: Array<[string, Ctor, number, string]> = [
  ["Int8StringReceiver", Int8StringReceiver, 1, "!B"],
  ["Int16StringReceiver", Int16StringReceiver, 2, "!H"],
  ["Int32StringReceiver", Int32StringReceiver, 4, "!I"],
];

const prefixed = (s: string | Buffer, p: number): Buffer => {
  const b = typeof s === "string" ? Buffer.from(s, "latin1") : s;
  const h = Buffer.alloc(p);
  h.writeUIntBE(b.length, 0, p);
  return Buffer.concat([h, b]);
};

for (const [name, Base, p, fmt] of cases) {
  const T = tester(Base);
  const connected = () => {
    const r = new T();
    const t = new StringTransport();
    r.makeConnection(t);
    return [r, t] as const;
  };

  describe(name, () => {
    it(`has a ${p}-byte prefix (${fmt}) and Twisted's default limit`, () => {
      const [r] = connected();
      expect([r.prefixLength, r.structFormat, r.MAX_LENGTH]).toEqual([p, fmt, 99999]);
    });

    it("receives strings, zero-length ones included, in every chunk size", () => {
      const strings = ["a", "", "b".repeat(16), "ubar"];
      forEveryChunking(Buffer.concat(strings.map((s) => prefixed(s, p))), (chunks) => {
        const [r] = connected();
        for (const c of chunks) r.dataReceived(c);
        expect(r.received).toEqual(strings);
      });
    });

    it("sendString writes a big-endian prefix", () => {
      const [r, t] = connected();
      r.sendString("foo");
      r.sendString("");
      expect(t.value()).toEqual(Buffer.concat([prefixed("foo", p), prefixed("", p)]));
    });

    it("calls lengthLimitExceeded with the announced length before the payload arrives, and delivers nothing", () => {
      const [r] = connected();
      r.MAX_LENGTH = 10;
      r.lengthLimitExceeded = (n: number) => void r.limits.push(n);
      r.dataReceived(prefixed("x".repeat(11), p).subarray(0, p));
      expect(r.limits).toEqual([11]);
      r.dataReceived(Buffer.from("x".repeat(11)));
      expect(r.received).toEqual([]);
    });

    it("closes the connection by default when the limit is exceeded", () => {
      const [r, t] = connected();
      r.MAX_LENGTH = 10;
      r.dataReceived(prefixed("x".repeat(11), p));
      expect(t.disconnecting).toBe(true);
      expect(r.received).toEqual([]);
    });

    it("holds strings back while paused and delivers them on resume", () => {
      const [r, t] = connected();
      r.pauseProducing();
      expect(t.producerState).toBe("paused");
      r.dataReceived(Buffer.concat([prefixed("one", p), prefixed("two", p)]));
      expect(r.received).toEqual([]);
      r.resumeProducing();
      expect(r.received).toEqual(["one", "two"]);
      r.stopProducing();
      r.dataReceived(prefixed("three", p));
      expect(r.received).toEqual(["one", "two"]);
      expect(t.producerState).toBe("stopped");
    });

    it("property: any strings, any chunking, are delivered as sent", () => {
      fc.assert(
        fc.property(
          fc.array(fc.uint8Array({ maxLength: 255 }), { maxLength: 12 }),
          chunkSizes,
          (strings, sizes) => {
            const [r] = connected();
            const input = Buffer.concat(strings.map((s) => prefixed(Buffer.from(s), p)));
            for (const c of splitBySizes(input, sizes)) r.dataReceived(c);
            expect(r.received).toEqual(strings.map((s) => Buffer.from(s).toString("latin1")));
          },
        ),
      );
    });
  });
}

describe("sendString limits", () => {
  it("fails with StringTooLongError when the prefix cannot hold the length, writing nothing", () => {
    const T8 = tester(Int8StringReceiver);
    const r = new T8();
    const t = new StringTransport();
    r.makeConnection(t);
    r.sendString(Buffer.alloc(255));
    expect(t.value()[0]).toBe(255);
    t.clear();
    expect(() => r.sendString(Buffer.alloc(256))).toThrow(StringTooLongError);
    expect(() => r.sendString(Buffer.alloc(256))).toThrow(
      "string length (256) exceeds the maximum (255) of the length prefix",
    );
    const T16 = tester(Int16StringReceiver);
    const r16 = new T16();
    r16.makeConnection(t);
    expect(() => r16.sendString(Buffer.alloc(2 ** 16 + 1))).toThrow(StringTooLongError);
    expect(t.value()).toHaveLength(0);
  });
});
