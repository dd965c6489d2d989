import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { type LogEvent, makeEvent } from "./event.ts";
import { FileLogObserver } from "./file.ts";
import { jsonFileLogObserver } from "./json.ts";

const event = (n: number): LogEvent =>
  makeEvent("info", "connection {n} made", "test", undefined, { n });

/** A stream that takes `capacity` writes, then says "full" until `drain()`. */
class SlowStream {
  readonly lines: string[] = [];
  #listeners: Array<() => void> = [];
  #room: number;
  constructor(readonly capacity: number) {
    this.#room = capacity;
  }
  write(text: string): boolean {
    this.lines.push(text);
    this.#room--;
    return this.#room > 0;
  }
  once(_event: "drain", listener: () => void): void {
    this.#listeners.push(listener);
  }
  drain(): void {
    this.#room = this.capacity;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const l of listeners) l();
  }
  get waiting(): number {
    return this.#listeners.length;
  }
}

describe("FileLogObserver under backpressure", () => {
  it("writes straight through while the stream keeps up", () => {
    const stream = new SlowStream(1000);
    const observer = new FileLogObserver(stream, (e) => `${e.n}\n`);
    for (let i = 0; i < 10; i++) observer.observe(event(i));
    expect(stream.lines.length).toBe(10);
    expect(stream.waiting).toBe(0);
  });

  it("queues while blocked, up to its limit, drops and counts the rest, then says so", () => {
    const stream = new SlowStream(3);
    const observer = new FileLogObserver(
      stream,
      (e) => `${e.log_format === "connection {n} made" ? e.n : e.dropped}\n`,
      {
        maxQueuedEvents: 5,
      },
    );
    for (let i = 0; i < 20; i++) observer.observe(event(i));
    // 3 accepted by the stream (the third filled it), 5 queued, 12 dropped.
    expect(stream.lines).toEqual(["0\n", "1\n", "2\n"]);
    expect(observer.dropped).toBe(12);
    expect(stream.waiting).toBe(1);
    stream.drain(); // 3 more fit, then blocked again
    expect(stream.lines.slice(3)).toEqual(["3\n", "4\n", "5\n"]);
    observer.observe(event(99)); // still blocked: queued behind 6 and 7
    stream.drain(); // the queue empties, but the last write filled the stream again
    expect(stream.lines.slice(6)).toEqual(["6\n", "7\n", "99\n"]);
    expect(observer.dropped).toBe(12);
    stream.drain(); // now there is room for the note
    expect(stream.lines.slice(9)).toEqual(["12\n"]);
    expect(observer.dropped).toBe(0);
  });

  it("bounds the queue by bytes too", () => {
    const stream = new SlowStream(1);
    const observer = new FileLogObserver(stream, () => "x".repeat(100), { maxQueuedBytes: 250 });
    for (let i = 0; i < 10; i++) observer.observe(event(i));
    expect(observer.dropped).toBe(7); // 1 written, 2 queued (200 bytes)
  });

  it("a stream without drain (a plain function) is written as before", () => {
    const lines: string[] = [];
    const observer = new FileLogObserver({ write: (t: string) => lines.push(t) && false }, (e) =>
      String(e.n),
    );
    for (let i = 0; i < 5; i++) observer.observe(event(i));
    expect(lines.length).toBe(5);
  });

  it("a real pipe whose reader stalls: memory stays bounded, the excess is counted and reported", async () => {
    // The reader sleeps, then reads everything: a stalled log shipper that recovers.
    const reader = spawn("sh", ["-c", "sleep 0.3; cat"], { stdio: ["pipe", "pipe", "inherit"] });
    const chunks: Buffer[] = [];
    reader.stdout.on("data", (c: Buffer) => chunks.push(c));
    const closed = new Promise((r) => reader.on("close", r));
    const observer = jsonFileLogObserver(reader.stdin);
    const total = 60_000;
    // Synchronous: the pipe cannot drain during this loop, as with a burst of connections.
    for (let i = 0; i < total; i++) observer.observe(event(i));
    const dropped = observer.dropped;
    expect(dropped).toBeGreaterThan(0);
    // What Node's stream holds is its high-water mark (16 KiB on Node 20, 64 KiB from Node 22)
    // and one event, not 60,000 events.
    expect(reader.stdin.writableLength).toBeLessThanOrEqual(
      reader.stdin.writableHighWaterMark + 1024,
    );
    await new Promise<void>((resolve) => {
      const check = () => (observer.dropped === 0 ? resolve() : setTimeout(check, 20));
      check();
    });
    reader.stdin.end();
    await closed;
    const lines = Buffer.concat(chunks).toString().trim().split("\n");
    const last = JSON.parse(lines[lines.length - 1] as string);
    expect(last.dropped).toBe(dropped);
    expect(last.msg).toBe(`${dropped} log events dropped while the output was blocked`);
    expect(last.level).toBe(40); // pino's warn
    // Every line that was not dropped arrived, in order.
    const ns = lines.slice(0, -1).map((l) => JSON.parse(l).n as number);
    expect(ns.length).toBe(total - dropped);
    expect(ns.every((n, i) => i === 0 || n > (ns[i - 1] as number))).toBe(true);
  }, 30_000);
});
