import { StringTransport } from "@torsion/core/testing";
import { forEveryChunking } from "@torsion/test-utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkSizes, splitBySizes } from "../test/chunking.ts";
import { LineOnlyReceiver } from "./line-only-receiver.ts";

class LineOnlyTester extends LineOnlyReceiver {
  override delimiter = "\n";
  override MAX_LENGTH = 64;
  received: string[] = [];
  exceeded: string[] = [];
  closeOnExceed = true;
  override lineReceived(line: Buffer): void {
    this.received.push(line.toString("latin1"));
    if (line.toString() === "quit") this.transport.loseConnection();
  }
  override lineLengthExceeded(line: Buffer): void {
    this.exceeded.push(line.toString("latin1"));
    if (this.closeOnExceed) super.lineLengthExceeded(line);
  }
}

function connected(): [LineOnlyTester, StringTransport] {
  const p = new LineOnlyTester();
  const t = new StringTransport();
  p.makeConnection(t);
  return [p, t];
}

describe("LineOnlyReceiver", () => {
  it("delivers lines in every chunk size", () => {
    const input = "foo\n    bleakness\n    desolation\n    plastic forks\n    ";
    forEveryChunking(Buffer.from(input), (chunks) => {
      const [p] = connected();
      for (const c of chunks) p.dataReceived(c);
      expect(p.received).toEqual(input.split("\n").slice(0, -1));
    });
  });

  it("closes the connection for a line longer than MAX_LENGTH", () => {
    const [p, t] = connected();
    p.dataReceived(Buffer.from(`${"x".repeat(64 + 1 + 1)}\r\nr`));
    expect(t.disconnecting).toBe(true);
  });

  it("uses its own unterminated rule: more than MAX_LENGTH bytes, checked at the end of each chunk", () => {
    const [p, t] = connected();
    p.dataReceived(Buffer.from("x".repeat(64)));
    expect(t.disconnecting).toBe(false);
    p.dataReceived(Buffer.from("x"));
    expect(t.disconnecting).toBe(true);
    expect(p.exceeded).toEqual(["x".repeat(65)]);
  });

  it("passes only the long line to lineLengthExceeded and drops the other complete lines of that chunk", () => {
    const [p] = connected();
    p.closeOnExceed = false;
    p.dataReceived(Buffer.from(`ok\n${"y".repeat(70)}\nlost\npart`));
    expect(p.received).toEqual(["ok"]);
    expect(p.exceeded).toEqual(["y".repeat(70)]);
    p.dataReceived(Buffer.from("ial\nnext\n"));
    expect(p.received).toEqual(["ok", "partial", "next"]);
  });

  it("drops the unterminated rest once reported, so memory stays bounded if the hook does not close", () => {
    const [p] = connected();
    p.closeOnExceed = false;
    for (let i = 0; i < 100; i++) p.dataReceived(Buffer.from("z".repeat(40)));
    expect(p.exceeded.every((s) => s.length <= 64 + 40)).toBe(true);
    p.dataReceived(Buffer.from("\nfine\n"));
    expect(p.received.at(-1)).toBe("fine");
  });

  it("drops the lines after one that closed the connection", () => {
    forEveryChunking(Buffer.from("a\nquit\nb\nc\n"), (chunks) => {
      const [p, t] = connected();
      for (const c of chunks) p.dataReceived(c);
      expect(p.received).toEqual(["a", "quit"]);
      expect(t.disconnecting).toBe(true);
    });
  });

  it("sendLine writes the line and the delimiter; the default lineReceived throws", () => {
    const [p, t] = connected();
    p.sendLine("hi");
    expect(t.value().toString()).toBe("hi\n");
    const bare = new LineOnlyReceiver();
    bare.makeConnection(new StringTransport());
    expect(() => bare.dataReceived(Buffer.from("x\r\n"))).toThrow(/must override lineReceived/);
  });

  it("property: any lines, any chunking, are delivered as sent", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ maxLength: 64 }).map((s) => s.replace(/\n/g, "")),
          { maxLength: 20 },
        ),
        chunkSizes,
        (lines, sizes) => {
          const [p, t] = connected();
          const input = Buffer.from(lines.map((l) => `${l}\n`).join(""), "latin1");
          for (const c of splitBySizes(input, sizes)) p.dataReceived(c);
          expect(p.received).toEqual(lines.map((l) => Buffer.from(l, "latin1").toString("latin1")));
          expect(t.disconnecting).toBe(false);
        },
      ),
    );
  });
});
