import { PassThrough, Writable } from "node:stream";
import {
  ConnectionDone,
  ConnectionLost,
  type Failure,
  type IPushProducer,
  Protocol,
} from "@torsion/core";
import { PipeAddress } from "@torsion/core/endpoints";
import { forEveryChunking } from "@torsion/test-utils";
import { describe, expect, it } from "vitest";
import { StandardIO } from "./stdio.ts";

class Recorder extends Protocol {
  received: Buffer[] = [];
  lost: Failure[] = [];
  override dataReceived(data: Buffer): void {
    this.received.push(data);
  }
  override connectionLost(reason: Failure): void {
    this.lost.push(reason);
  }
}

class Echo extends Recorder {
  override dataReceived(data: Buffer): void {
    super.dataReceived(data);
    this.transport.write(data);
  }
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString();
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("StandardIO", () => {
  it("delivers stdin to dataReceived and writes to stdout, whatever the chunking", async () => {
    const input = Buffer.from("hello, standard input\n");
    const runs: Promise<void>[] = [];
    forEveryChunking(input, (chunks) => {
      const stdin = new PassThrough();
      const stdout = new PassThrough();
      const output = collect(stdout);
      const p = new Echo();
      new StandardIO(p, { stdin, stdout });
      for (const c of chunks) stdin.write(c);
      stdin.end();
      runs.push(
        new Promise<void>((resolve) => stdout.on("end", resolve)).then(() => {
          expect(Buffer.concat(p.received)).toEqual(input);
          expect(output()).toBe(input.toString());
          expect(p.lost).toHaveLength(1);
        }),
      );
    });
    await Promise.all(runs);
  });

  it("end of stdin ends the connection cleanly, after the output is flushed", async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const output = collect(stdout);
    const p = new Recorder();
    const io = new StandardIO(p, { stdin, stdout });
    expect(p.connected).toBe(true);
    expect(io.getPeer()).toBeInstanceOf(PipeAddress);
    io.write("bye\n");
    stdin.end();
    await new Promise((r) => stdout.on("end", r));
    expect(output()).toBe("bye\n");
    expect(p.lost).toHaveLength(1);
    expect(p.lost[0]?.check(ConnectionDone)).toBe(ConnectionDone);
    expect(io.disconnected).toBe(true);
  });

  it("a half-closeable protocol gets readConnectionLost and may keep writing", async () => {
    class Half extends Recorder {
      readLost = 0;
      readConnectionLost(): void {
        this.readLost++;
        this.transport.write("still here\n");
        this.transport.loseConnection();
      }
      writeConnectionLost(): void {}
    }
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const output = collect(stdout);
    const p = new Half();
    new StandardIO(p, { stdin, stdout });
    stdin.end();
    await new Promise((r) => stdout.on("end", r));
    expect(p.readLost).toBe(1);
    expect(output()).toBe("still here\n");
    expect(p.lost[0]?.check(ConnectionDone)).toBe(ConnectionDone);
  });

  it("loseConnection stops delivering input and ends with ConnectionDone", async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const p = new Recorder();
    const io = new StandardIO(p, { stdin, stdout });
    io.loseConnection();
    stdin.write("ignored");
    await tick();
    await tick();
    expect(p.received).toEqual([]);
    expect(p.lost).toHaveLength(1);
    expect(p.lost[0]?.check(ConnectionDone)).toBe(ConnectionDone);
    io.write("after close");
    io.loseConnection();
    expect(p.lost).toHaveLength(1);
  });

  it("a broken stdout ends the connection with ConnectionLost", async () => {
    const stdin = new PassThrough();
    const stdout = new Writable({
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    const p = new Recorder();
    const io = new StandardIO(p, { stdin, stdout });
    io.write("x");
    await tick();
    await tick();
    expect(p.lost).toHaveLength(1);
    expect(p.lost[0]?.check(ConnectionLost)).toBe(ConnectionLost);
    expect(p.lost[0]?.getErrorMessage()).toContain("EPIPE");
  });

  it("an exception in dataReceived closes the connection, not the process", async () => {
    class Throws extends Recorder {
      override dataReceived(): void {
        throw new Error("bug");
      }
    }
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const p = new Throws();
    new StandardIO(p, { stdin, stdout });
    stdin.write("x");
    await new Promise((r) => stdout.on("finish", r));
    expect(p.lost).toHaveLength(1);
  });

  it("an exception in connectionMade is logged and closes the connection, not the process", async () => {
    class Throws extends Recorder {
      override connectionMade(): void {
        throw new Error("bug in connectionMade");
      }
    }
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const p = new Throws();
    expect(() => new StandardIO(p, { stdin, stdout })).not.toThrow();
    await new Promise((r) => stdout.on("finish", r));
    expect(p.lost).toHaveLength(1);
    expect(p.lost[0]?.check(ConnectionDone)).toBe(ConnectionDone);
  });

  it("pauses a registered producer while stdout is full and resumes it on drain", async () => {
    const stdin = new PassThrough();
    const pending: Array<() => void> = [];
    const stdout = new Writable({
      highWaterMark: 4,
      write(_chunk, _enc, cb) {
        pending.push(cb);
      },
    });
    const calls: string[] = [];
    const producer: IPushProducer = {
      pauseProducing: () => calls.push("pause"),
      resumeProducing: () => calls.push("resume"),
      stopProducing: () => calls.push("stop"),
    };
    const p = new Recorder();
    const io = new StandardIO(p, { stdin, stdout });
    io.registerProducer(producer, true);
    io.write("12345678");
    expect(calls).toEqual(["pause"]);
    while (pending.length) pending.shift()?.();
    await tick();
    expect(calls).toEqual(["pause", "resume"]);
  });

  it("pauseProducing stops reading stdin until resumeProducing", async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const p = new Recorder();
    const io = new StandardIO(p, { stdin, stdout });
    io.pauseProducing();
    stdin.write("held");
    await tick();
    expect(p.received).toEqual([]);
    io.resumeProducing();
    await tick();
    expect(Buffer.concat(p.received).toString()).toBe("held");
  });
});
