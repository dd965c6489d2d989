import { Clock, StringTransport } from "@torsion/core/testing";
import { forEveryChunking } from "@torsion/test-utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkSizes, splitBySizes } from "../test/chunking.ts";
import { LineReceiver } from "./line-receiver.ts";

/** Twisted's LineTester: acts on some lines (raw mode, pause, stop, len). */
class LineTester extends LineReceiver {
  override delimiter = "\n";
  override MAX_LENGTH = 64;
  received: Buffer[] = [];
  length = 0;
  constructor(readonly clock?: Clock) {
    super();
  }
  override lineReceived(line: Buffer): void {
    this.received.push(line);
    const s = line.toString("latin1");
    if (s === "") this.setRawMode();
    else if (s === "pause") {
      this.pauseProducing();
      this.clock!.callLater(0, () => this.resumeProducing());
    } else if (s === "rawpause") {
      this.pauseProducing();
      this.setRawMode();
      this.received.push(Buffer.alloc(0));
      this.clock!.callLater(0, () => this.resumeProducing());
    } else if (s === "stop") this.stopProducing();
    else if (s.startsWith("len ")) this.length = Number(s.slice(4));
  }
  override rawDataReceived(data: Buffer): void {
    const mine = data.subarray(0, this.length);
    const rest = data.subarray(this.length);
    this.length -= mine.length;
    this.received[this.received.length - 1] = Buffer.concat([this.received.at(-1)!, mine]);
    if (this.length === 0) this.setLineMode(rest);
  }
  override lineLengthExceeded(line: Buffer): void {
    if (line.length > this.MAX_LENGTH + 1) this.setLineMode(line.subarray(this.MAX_LENGTH + 1));
  }
}

function connect<P extends LineReceiver>(proto: P): StringTransport {
  const t = new StringTransport();
  proto.makeConnection(t);
  return t;
}

const strs = (xs: Buffer[]): string[] => xs.map((x) => x.toString("latin1"));

describe("LineReceiver", () => {
  const buffer =
    "len 10\n\n0123456789len 5\n\n1234\nlen 20\nfoo 123\n\n0123456789\n012345678len 0\nfoo 5\n\n" +
    "1234567890123456789012345678901234567890123456789012345678901234567890\nlen 1\n\na";
  const output = [
    "len 10",
    "0123456789",
    "len 5",
    "1234\n",
    "len 20",
    "foo 123",
    "0123456789\n012345678",
    "len 0",
    "foo 5",
    "",
    "67890",
    "len 1",
    "a",
  ];

  it("switches between line and raw mode as Twisted's LineTester expects, in every chunk size up to 9", () => {
    // From chunk size 10 on, the long line and what follows it arrive in one chunk, and
    // Twisted's (and our) lineLengthExceeded receives more than one line: same as Twisted.
    forEveryChunking(
      Buffer.from(buffer, "latin1"),
      (chunks) => {
        const a = new LineTester();
        connect(a);
        for (const c of chunks) a.dataReceived(c);
        expect(strs(a.received)).toEqual(output);
      },
      9,
    );
  });

  it("holds lines back while paused and delivers them on resume", () => {
    const input = Buffer.from("twiddle1\ntwiddle2\npause\ntwiddle3\n");
    forEveryChunking(input, (chunks) => {
      const clock = new Clock();
      const a = new LineTester(clock);
      const t = connect(a);
      for (const c of chunks) a.dataReceived(c);
      expect(strs(a.received)).toEqual(["twiddle1", "twiddle2", "pause"]);
      expect(t.producerState).toBe("paused");
      clock.advance(0);
      expect(strs(a.received)).toEqual(["twiddle1", "twiddle2", "pause", "twiddle3"]);
      expect(t.producerState).toBe("producing");
    });
  });

  it("holds raw data back while paused", () => {
    const input = Buffer.from("twiddle1\ntwiddle2\nlen 5\nrawpause\n12345twiddle3\n");
    forEveryChunking(input, (chunks) => {
      const clock = new Clock();
      const a = new LineTester(clock);
      connect(a);
      for (const c of chunks) a.dataReceived(c);
      expect(strs(a.received)).toEqual(["twiddle1", "twiddle2", "len 5", "rawpause", ""]);
      clock.advance(0);
      expect(strs(a.received)).toEqual([
        "twiddle1",
        "twiddle2",
        "len 5",
        "rawpause",
        "12345",
        "twiddle3",
      ]);
    });
  });

  it("delivers nothing after stopProducing", () => {
    forEveryChunking(Buffer.from("twiddle1\ntwiddle2\nstop\nmore\nstuff\n"), (chunks) => {
      const a = new LineTester();
      const t = connect(a);
      for (const c of chunks) a.dataReceived(c);
      expect(strs(a.received)).toEqual(["twiddle1", "twiddle2", "stop"]);
      expect(t.producerState).toBe("stopped");
    });
  });

  it("pauses after every line and delivers exactly one held-back line per resume (Twisted's ProducerTests)", () => {
    class Consuming extends LineReceiver {
      override lineReceived(line: Buffer): void {
        this.transport.write(line);
        this.transport.write("|");
        this.pauseProducing();
      }
    }
    const p = new Consuming();
    const t = connect(p);
    p.dataReceived(Buffer.from("hello, "));
    expect(t.value().toString()).toBe("");
    expect(p.paused).toBe(false);
    p.dataReceived(Buffer.from("world\r\n"));
    expect(t.value().toString()).toBe("hello, world|");
    expect([p.paused, t.producerState]).toEqual([true, "paused"]);
    p.resumeProducing();
    expect(t.value().toString()).toBe("hello, world|");
    expect([p.paused, t.producerState]).toEqual([false, "producing"]);
    p.dataReceived(Buffer.from("hello\r\nworld\r\n"));
    expect(t.value().toString()).toBe("hello, world|hello|");
    p.resumeProducing();
    expect(t.value().toString()).toBe("hello, world|hello|world|");
    expect(p.paused).toBe(true);
    p.dataReceived(Buffer.from("goodbye\r\n"));
    expect(t.value().toString()).toBe("hello, world|hello|world|");
    p.resumeProducing();
    expect(t.value().toString()).toBe("hello, world|hello|world|goodbye|");
    p.resumeProducing();
    expect(p.paused).toBe(false);
  });

  it("clearLineBuffer returns what was buffered, from inside lineReceived", () => {
    class Clearing extends LineReceiver {
      line = "";
      rest = "";
      override lineReceived(line: Buffer): void {
        this.line = line.toString();
        this.rest = this.clearLineBuffer().toString();
      }
    }
    const p = new Clearing();
    connect(p);
    p.dataReceived(Buffer.from("foo\r\nbar\r\nbaz"));
    expect([p.line, p.rest]).toEqual(["foo", "bar\r\nbaz"]);
    p.dataReceived(Buffer.from("quux\r\n"));
    expect([p.line, p.rest]).toEqual(["quux", ""]);
  });

  it("flips modes any number of times inside callbacks without growing the stack", () => {
    class Flipping extends LineReceiver {
      override delimiter = "\n";
      lines: Buffer[] = [];
      override lineReceived(line: Buffer): void {
        this.lines.push(line);
        this.setRawMode();
      }
      override rawDataReceived(data: Buffer): void {
        this.setLineMode(data.subarray(1));
      }
    }
    const p = new Flipping();
    connect(p);
    const n = 100_000; // far beyond any recursion limit
    p.dataReceived(Buffer.from("x\nx".repeat(n)));
    expect(Buffer.concat(p.lines).toString()).toBe("x".repeat(n));
  });

  it("stops delivering once the protocol called loseConnection, keeping the rest buffered", () => {
    class Quitter extends LineReceiver {
      lines: string[] = [];
      override lineReceived(line: Buffer): void {
        this.lines.push(line.toString());
        if (line.toString() === "quit") this.transport.loseConnection();
      }
    }
    forEveryChunking(Buffer.from("a\r\nquit\r\nb\r\nc\r\n"), (chunks) => {
      const p = new Quitter();
      const t = connect(p);
      for (const c of chunks) p.dataReceived(c);
      expect(p.lines).toEqual(["a", "quit"]);
      expect(t.disconnecting).toBe(true);
      expect(p.clearLineBuffer().toString()).toBe("b\r\nc\r\n");
    });
  });

  it("sendLine writes the line and the delimiter", () => {
    const p = new LineTester();
    const t = connect(p);
    p.sendLine("hello");
    p.sendLine(Buffer.from("bytes"));
    expect(t.value().toString()).toBe("hello\nbytes\n");
  });

  it("throws from the default lineReceived and rawDataReceived, and recovers after a callback threw", () => {
    const p = new LineReceiver();
    connect(p);
    expect(() => p.dataReceived(Buffer.from("x\r\n"))).toThrow(/must override lineReceived/);
    p.setRawMode();
    expect(() => p.dataReceived(Buffer.from("y"))).toThrow(/must override rawDataReceived/);
    class Ok extends LineReceiver {
      lines: string[] = [];
      override lineReceived(line: Buffer): void {
        if (line.toString() === "boom") throw new Error("boom");
        this.lines.push(line.toString());
      }
    }
    const q = new Ok();
    connect(q);
    expect(() => q.dataReceived(Buffer.from("boom\r\nafter\r\n"))).toThrow("boom");
    q.dataReceived(Buffer.from(""));
    expect(q.lines).toEqual(["after"]);
  });

  it("property: any lines, any chunking, are delivered as sent", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ maxLength: 40 }).map((s) => s.replace(/\r\n/g, "")),
          { maxLength: 20 },
        ),
        chunkSizes,
        (lines, sizes) => {
          class Collect extends LineReceiver {
            got: string[] = [];
            override lineReceived(line: Buffer): void {
              this.got.push(line.toString("latin1"));
            }
          }
          const p = new Collect();
          const t = connect(p);
          const input = Buffer.from(lines.map((l) => `${l}\r\n`).join(""), "latin1");
          for (const c of splitBySizes(input, sizes)) p.dataReceived(c);
          expect(p.got).toEqual(lines.map((l) => Buffer.from(l, "latin1").toString("latin1")));
          expect(t.disconnecting).toBe(false);
        },
      ),
    );
  });
});

describe("LineReceiver limits (Twisted's rules)", () => {
  class Catcher extends LineReceiver {
    override MAX_LENGTH = 6;
    longLines: Buffer[] = [];
    lines: Buffer[] = [];
    override lineReceived(line: Buffer): void {
      this.lines.push(line);
    }
    override lineLengthExceeded(line: Buffer): void {
      this.longLines.push(line);
    }
  }
  const make = (): [Catcher, StringTransport] => {
    const p = new Catcher();
    return [p, connect(p)];
  };

  it("passes a long unterminated line whole to lineLengthExceeded", () => {
    const [p] = make();
    const excessive = Buffer.from("x".repeat(14));
    p.dataReceived(excessive);
    expect(p.longLines).toEqual([excessive]);
  });

  it("passes everything after a short line's delimiter", () => {
    const [p] = make();
    const excessive = "x".repeat(14);
    p.dataReceived(Buffer.from(`x\r\n${excessive}`));
    expect(strs(p.longLines)).toEqual([excessive]);
  });

  it("passes a long terminated line with its delimiter and whatever followed", () => {
    for (const excessive of [
      `${"x".repeat(14)}\r\n${"x".repeat(14)}`,
      `${"x".repeat(14)}\r\n`.repeat(2),
    ]) {
      const [p] = make();
      p.dataReceived(Buffer.from(excessive));
      expect(strs(p.longLines)).toEqual([excessive]);
    }
  });

  it("closes the connection by default for a complete line of MAX_LENGTH + 1", () => {
    const p = new LineReceiver();
    const t = connect(p);
    p.dataReceived(Buffer.from(`${"x".repeat(p.MAX_LENGTH + 1)}\r\nr`));
    expect(t.disconnecting).toBe(true);
  });

  it("closes the connection for MAX_LENGTH + delimiter.length unterminated bytes", () => {
    const p = new LineReceiver();
    const t = connect(p);
    p.dataReceived(Buffer.from("x".repeat(p.MAX_LENGTH + 2)));
    expect(t.disconnecting).toBe(true);
  });

  it("does not close for MAX_LENGTH bytes followed by part of the delimiter", () => {
    const p = new LineReceiver();
    const t = connect(p);
    p.dataReceived(Buffer.from(`${"x".repeat(p.MAX_LENGTH)}\r`));
    expect(t.disconnecting).toBe(false);
  });

  it("accepts a full-length line whose delimiter arrived split across chunks", () => {
    const p = new LineTester();
    p.MAX_LENGTH = 4;
    p.delimiter = "\r\n";
    const t = connect(p);
    p.dataReceived(Buffer.from("xxx"));
    p.dataReceived(Buffer.from("\r"));
    p.dataReceived(Buffer.from("\nxxx"));
    expect(t.disconnecting).toBe(false);
    expect(strs(p.received)).toEqual(["xxx"]);
  });

  it("keeps at most MAX_LENGTH + delimiter + one chunk buffered, and continues after a tolerated long line", () => {
    const [p] = make();
    for (let i = 0; i < 1000; i++) p.dataReceived(Buffer.from("yyyyy"));
    expect(p.clearLineBuffer().length).toBeLessThan(6 + 2 + 5);
    p.dataReceived(Buffer.from("ok\r\n"));
    expect(strs(p.lines).at(-1)).toBe("ok");
  });
});
