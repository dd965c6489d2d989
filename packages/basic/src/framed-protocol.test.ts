import type { Failure, LogEvent } from "@torsion/core";
import { globalLogPublisher } from "@torsion/core/logger";
import { StringTransport } from "@torsion/core/testing";
import { forEveryChunking } from "@torsion/test-utils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type Accumulator,
  DecodeError,
  type Decoder,
  DecoderContractError,
  encodeIntPrefixed,
  FramedProtocol,
  IntPrefixDecoder,
} from "./index.ts";

/** Records what the global log publisher sees during a test. */
let logged: LogEvent[] = [];
const observer = (e: LogEvent): void => {
  logged.push(e);
};
beforeEach(() => {
  logged = [];
  globalLogPublisher.addObserver(observer);
});
afterEach(() => {
  globalLogPublisher.removeObserver(observer);
});

/** Frames are 2-byte length-prefixed records; `frames` collects them as text. */
class Records extends FramedProtocol<Buffer> {
  frames: string[] = [];
  decoder: Decoder<Buffer> = new IntPrefixDecoder({ prefixLength: 2, maxLength: 10 });
  onFrame?: ((frame: Buffer) => void | Promise<void>) | undefined;
  protected override currentDecoder(): Decoder<Buffer> {
    return this.decoder;
  }
  protected override frameReceived(frame: Buffer): void | Promise<void> {
    this.frames.push(frame.toString());
    return this.onFrame?.(frame);
  }
  buffered(): number {
    return this.receiveBuffer.length;
  }
}

function connected<P extends FramedProtocol<unknown>>(p: P): [P, StringTransport] {
  const t = new StringTransport();
  p.makeConnection(t);
  return [p, t];
}

const records = (...texts: string[]) => Buffer.concat(texts.map((x) => encodeIntPrefixed(x, 2)));

describe("FramedProtocol", () => {
  it("delivers every frame in every chunk size", () => {
    const input = records("one", "", "three", "fourfour");
    forEveryChunking(input, (chunks) => {
      const [p] = connected(new Records());
      for (const c of chunks) p.dataReceived(c);
      expect(p.frames).toEqual(["one", "", "three", "fourfour"]);
      expect(p.buffered()).toBe(0);
    });
  });

  it("holds frames back while paused and delivers them on resume", () => {
    const [p, t] = connected(new Records());
    p.onFrame = () => p.pauseProducing();
    p.dataReceived(records("a", "b", "c"));
    expect(p.frames).toEqual(["a"]);
    expect(t.producerState).toBe("paused");
    p.onFrame = undefined;
    p.resumeProducing();
    expect(p.frames).toEqual(["a", "b", "c"]);
  });

  it("delivers nothing once the transport is disconnecting", () => {
    const [p, t] = connected(new Records());
    p.onFrame = () => t.loseConnection();
    p.dataReceived(records("a", "b"));
    p.dataReceived(records("c"));
    expect(p.frames).toEqual(["a"]);
  });

  it("queues data received from inside a hook and delivers it in order, without recursion", () => {
    const [p] = connected(new Records());
    let depth = 0;
    let deepest = 0;
    p.onFrame = (f) => {
      depth++;
      deepest = Math.max(deepest, depth);
      const n = Number(f.toString());
      if (n < 500) p.dataReceived(records(String(n + 1)));
      depth--;
    };
    p.dataReceived(records("0"));
    expect(p.frames).toHaveLength(501);
    expect(p.frames.at(-1)).toBe("500");
    expect(deepest).toBe(1);
  });

  it("by default logs a DecodeError, closes the connection and drops the bad bytes", () => {
    const [p, t] = connected(new Records());
    p.dataReceived(Buffer.concat([records("ok"), Buffer.from([0, 99]), Buffer.alloc(50)]));
    expect(p.frames).toEqual(["ok"]);
    expect(t.disconnecting).toBe(true);
    expect(p.buffered()).toBe(0);
    const event = logged.find((e) => e.log_namespace === "torsion.basic.FramedProtocol");
    expect((event?.log_failure as Failure | undefined)?.value).toBeInstanceOf(DecodeError);
  });

  it("drops what a decode-failure hook leaves buffered, so bad input cannot pile up", () => {
    class Lenient extends Records {
      failures = 0;
      protected override frameDecodeFailed(): void {
        this.failures++; // takes nothing, keeps the connection
      }
    }
    const [p, t] = connected(new Lenient());
    for (let i = 0; i < 100; i++) p.dataReceived(Buffer.from([0, 99, 1, 2, 3]));
    expect(p.failures).toBe(100);
    expect(p.buffered()).toBe(0);
    expect(t.disconnecting).toBe(false);
  });

  it("logs a hook's rejected promise with the transport's prefix and aborts that connection", async () => {
    class PrefixedTransport extends StringTransport {
      logPrefix(): string {
        return "Records,7,127.0.0.1";
      }
    }
    const p = new Records();
    const t = new PrefixedTransport();
    p.makeConnection(t);
    p.onFrame = async () => {
      throw new Error("boom");
    };
    p.dataReceived(records("a", "b"));
    // Frames are not held back while the promise is pending (as in Twisted).
    expect(p.frames).toEqual(["a", "b"]);
    await new Promise((resolve) => setImmediate(resolve));
    const failures = logged.filter((e) => e.log_format === "Unhandled error in {callback}");
    expect(failures).toHaveLength(2);
    expect(failures[0]?.["callback"]).toBe("frameReceived");
    expect(failures[0]?.["log_system"]).toBe("Records,7,127.0.0.1");
    expect(t.aborted).toBe(true);
  });

  it("falls back to the protocol's prefix when the transport has none", async () => {
    const [p, t] = connected(new Records());
    p.onFrame = () => Promise.reject(new Error("boom"));
    p.dataReceived(records("a"));
    await new Promise((resolve) => setImmediate(resolve));
    const failures = logged.filter((e) => e.log_format === "Unhandled error in {callback}");
    expect(failures).toHaveLength(1);
    expect(failures[0]?.["log_system"]).toBe(p.logPrefix());
    expect(t.aborted).toBe(true);
  });

  it("refuses a decoder that returns a frame without consuming input (DecoderContractError)", () => {
    const stuck: Decoder<Buffer> = {
      decode(input: Accumulator) {
        return input.length > 0 ? input.peek(1) : undefined;
      },
    };
    const [p] = connected(new Records());
    p.decoder = stuck;
    expect(() => p.dataReceived(Buffer.from("xyz"))).toThrow(DecoderContractError);
    expect(p.frames).toEqual([]);
  });
});
