/**
 * The native transport under load, through core's reactor and a protocol, over loopback:
 * byte-exact echo of random sizes, many connections, a peer that never reads, resets and
 * half-closes. Sizes and counts are fixed (seeded), never timed.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as net from "node:net";
import { describe, expect, it } from "vitest";
import type { Failure, IListeningPort } from "../../core/src/index.ts";
import { createReactor, Factory, Protocol } from "../../core/src/index.ts";
import { available } from "../src/index.ts";

class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

function portOf(port: IListeningPort): number {
  return (port.getHost() as unknown as { port: number }).port;
}

/** A deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Send `message`, collect the echo until `message.length` bytes came back. */
function echoOnce(port: number, message: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const s = net.connect(port, "127.0.0.1", () => s.write(message));
    s.on("data", (d) => {
      chunks.push(d);
      got += d.length;
      if (got >= message.length) s.end();
    });
    s.on("error", reject);
    s.on("close", () => resolve(Buffer.concat(chunks)));
  });
}

describe.runIf(available)("native transport stress", () => {
  it("echoes random sizes up to 1 MiB over 100 connections byte-exact", async () => {
    const reactor = createReactor({ transport: "native" });
    const port = await reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: "127.0.0.1" });
    const next = random(13);
    const messages = Array.from({ length: 100 }, () =>
      randomBytes(1 + Math.floor(next() ** 3 * 1024 * 1024)),
    );
    const echoed = await Promise.all(messages.map((m) => echoOnce(portOf(port), m)));
    for (let i = 0; i < messages.length; i++) expect(echoed[i]!.equals(messages[i]!)).toBe(true);
    await port.stopListening();
  });

  it("holds 10,000 concurrent connections and answers on each", async () => {
    const reactor = createReactor({ transport: "native" });
    let open = 0;
    let peak = 0;
    class Counting extends Echo {
      override connectionMade(): void {
        peak = Math.max(peak, ++open);
      }
      override connectionLost(_reason: Failure): void {
        open--;
      }
    }
    const port = await reactor.listenTCP(0, Factory.forProtocol(Counting), {
      interface: "127.0.0.1",
      backlog: 4096,
    });
    // The clients live in another process: 10,000 of each side would pass this one's fd limit.
    const client = spawn(process.execPath, ["-e", MANY_CLIENTS, String(portOf(port)), "10000"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    client.stdout.on("data", (d) => (out += d));
    const code = await new Promise((resolve) => client.on("close", resolve));
    expect(out.trim()).toBe("echoed 10000");
    expect(code).toBe(0);
    expect(peak).toBe(10000);
    await port.stopListening();
  }, 120_000);

  it("a client that never reads: an echo that is its own producer stops reading (bounded)", async () => {
    const reactor = createReactor({ transport: "native" });
    let server!: Echo;
    let paused = 0;
    class Watched extends Echo {
      override connectionMade(): void {
        server = this;
        // Twisted's idiom: the transport is the push producer of its own writes, so a full
        // write buffer pauses reading (writableNeedDrain), and drain resumes it.
        const t = this.transport as unknown as {
          pauseProducing(): void;
          registerProducer(p: unknown, streaming: boolean): void;
        };
        const original = t.pauseProducing.bind(t);
        t.pauseProducing = () => {
          paused++;
          original();
        };
        t.registerProducer(t, true);
      }
    }
    const port = await reactor.listenTCP(0, Factory.forProtocol(Watched), {
      interface: "127.0.0.1",
    });
    const s = net.connect(portOf(port), "127.0.0.1");
    s.pause(); // never reads
    const chunk = Buffer.alloc(64 * 1024, 7);
    await new Promise((r) => s.on("connect", r));
    // 16 MiB at once: far more than the kernel buffers on both sides hold.
    for (let i = 0; i < 256; i++) s.write(chunk);
    for (let i = 0; i < 1000 && paused === 0; i++) await new Promise((r) => setTimeout(r, 10));
    // Give the server's loop more turns: a paused connection must not read (or queue) more.
    await new Promise((r) => setTimeout(r, 100));
    const size = (server.transport as unknown as { writeBufferSize: number }).writeBufferSize;
    expect(paused).toBeGreaterThan(0);
    // At most one read past the high-water mark is queued in user space.
    expect(size).toBeLessThan(1024 * 1024);
    s.destroy();
    await port.stopListening();
  }, 60_000);

  it("a reset by the peer in every state: connectionLost, never a crash", async () => {
    const reactor = createReactor({ transport: "native" });
    const reasons: Failure[] = [];
    class Lost extends Echo {
      override connectionLost(reason: Failure): void {
        reasons.push(reason);
      }
    }
    const port = await reactor.listenTCP(0, Factory.forProtocol(Lost), { interface: "127.0.0.1" });
    const states = ["idle", "mid-write", "after-echo"] as const;
    for (const state of states) {
      const s = net.connect(portOf(port), "127.0.0.1");
      await new Promise((r) => s.on("connect", r));
      if (state === "mid-write") {
        s.write(Buffer.alloc(256 * 1024));
        s.pause();
        await new Promise((r) => setTimeout(r, 20));
      }
      if (state === "after-echo") {
        s.write("ping");
        await new Promise((r) => s.once("data", r));
      }
      s.on("error", () => {});
      s.resetAndDestroy();
      await new Promise((r) => s.on("close", r));
    }
    while (reasons.length < states.length) await new Promise((r) => setTimeout(r, 5));
    expect(reasons).toHaveLength(3);
    await port.stopListening();
  });

  it("half-close: a half-closeable protocol keeps writing after the peer's FIN", async () => {
    const reactor = createReactor({ transport: "native" });
    class Half extends Protocol {
      received: Buffer[] = [];
      override dataReceived(data: Buffer): void {
        this.received.push(data);
      }
      readConnectionLost(): void {
        this.transport.write(Buffer.concat(this.received).toString().toUpperCase());
        this.transport.loseConnection();
      }
    }
    const port = await reactor.listenTCP(0, Factory.forProtocol(Half), { interface: "127.0.0.1" });
    const s = net.connect({ port: portOf(port), host: "127.0.0.1", allowHalfOpen: true });
    s.end("shout");
    let got = "";
    s.on("data", (d) => (got += d));
    await new Promise((r) => s.on("close", r));
    expect(got).toBe("SHOUT");
    await port.stopListening();
  });
});

/** The client side of the 10,000-connection test, run in a child process. */
const MANY_CLIENTS = `
const net = require("node:net");
const [port, count] = process.argv.slice(1).map(Number);
const sockets = [];
let connected = 0, echoed = 0;
for (let i = 0; i < count; i++) {
  const s = net.connect(port, "127.0.0.1");
  sockets.push(s);
  s.on("error", (e) => { console.error(e.message); process.exit(1); });
  s.on("connect", () => { if (++connected === count) for (const t of sockets) t.write("x"); });
  s.once("data", () => { if (++echoed === count) { console.log("echoed " + echoed); for (const t of sockets) t.destroy(); } });
}
`;
