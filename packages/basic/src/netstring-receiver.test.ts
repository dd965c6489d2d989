import type { Failure } from "@torsion/core";
import { Logger } from "@torsion/core";
import { StringTransport } from "@torsion/core/testing";
import { forEveryChunking } from "@torsion/test-utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesFrom, chunkSizes, splitBySizes } from "../test/chunking.ts";
import { NetstringParseError } from "./framing/netstring-decoder.ts";
import { NetstringReceiver } from "./netstring-receiver.ts";

class TestNetstring extends NetstringReceiver {
  override MAX_LENGTH = 50;
  received: string[] = [];
  events: Array<Record<string, unknown>> = [];
  override log: Logger = new Logger("test", undefined, (e) =>
    this.events.push(e as unknown as Record<string, unknown>),
  );
  override stringReceived(data: Buffer): void {
    this.received.push(data.toString("latin1"));
    this.transport.write(data);
  }
}

function connected(): [TestNetstring, StringTransport] {
  const p = new TestNetstring();
  const t = new StringTransport();
  p.makeConnection(t);
  return [p, t];
}

describe("NetstringReceiver", () => {
  it("receives strings in every chunk size", () => {
    const strings = ["hello", "world", "how", "are", "you123", ":today", "a".repeat(515)];
    const [sender, out] = connected();
    for (const s of strings) sender.sendString(s);
    forEveryChunking(
      out.value(),
      (chunks) => {
        const [p, t] = connected();
        p.MAX_LENGTH = 699;
        for (const c of chunks) p.dataReceived(c);
        expect(p.received).toEqual(strings);
        expect(t.disconnecting).toBe(false);
      },
      40,
    );
  });

  it("receives empty, one- and two-character and nested netstrings", () => {
    const [p] = connected();
    p.dataReceived(Buffer.from("0:,1:a,2:ab,4:1:a,,"));
    expect(p.received).toEqual(["", "a", "ab", "1:a,"]);
  });

  it("sendString writes <length>:<data>,", () => {
    const [p, t] = connected();
    p.sendString("hello");
    p.sendString(Buffer.alloc(0));
    expect(t.value().toString()).toBe("5:hello,0:,");
  });

  it("closes the connection with a logged NetstringParseError on every kind of bad input, byte by byte", () => {
    const illegal = [
      "9999999999999999999999",
      "abc",
      "4:abcde",
      `51:${"a".repeat(50)}b,`,
      "2:aaa,",
      "0:a,",
      ":aaa,",
      "3aaa,",
      "aaa,",
      "aaa",
      "01:a,",
      "51:",
    ];
    for (const s of illegal) {
      const [p, t] = connected();
      for (const b of Buffer.from(s)) p.dataReceived(Buffer.from([b]));
      expect(t.disconnecting, s).toBe(true);
      expect(p.brokenPeer).toBe(true);
      expect(p.events).toHaveLength(1);
      const failure = p.events[0]!.log_failure as Failure;
      expect(failure.value).toBeInstanceOf(NetstringParseError);
      expect(p.events[0]!.log_level).toBe("warn");
    }
  });

  it("delivers nothing after a parse error", () => {
    const [p] = connected();
    p.dataReceived(Buffer.from("1:a,x1:b,"));
    p.dataReceived(Buffer.from("1:c,"));
    expect(p.received).toEqual(["a"]);
  });

  it("has Twisted's default limit of 99999", () => {
    expect(new NetstringReceiver().MAX_LENGTH).toBe(99999);
  });

  it("property: any bytes either deliver strings, wait, or close cleanly, never buffering past the limit", () => {
    fc.assert(
      fc.property(bytesFrom([0x30, 0x31, 0x35, 0x3a, 0x2c]), chunkSizes, (input, sizes) => {
        const [p, t] = connected();
        for (const c of splitBySizes(input, sizes)) {
          p.dataReceived(c);
          if (t.disconnecting) break;
        }
        expect(t.disconnecting).toBe(p.brokenPeer);
      }),
    );
  });
});
