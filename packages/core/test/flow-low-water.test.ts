/**
 * Flow control over loopback with a peer that reads slowly: the server connection pauses and
 * resumes many times, never reads again while more than the low-water mark is queued, keeps its
 * buffer bounded, and the echo is byte for byte. Runs on both transports (core's own project on
 * node:net, @torsion/native's project on the native one). That reading resumes at the low mark
 * with data still queued, rather than only once empty, is shown deterministically in
 * `src/transport/flow-control.test.ts`: over loopback the kernel usually takes the rest of the
 * buffer in the same turn, so by the next read it is empty either way.
 */
import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { createReactor, Protocol } from "../src/index.ts";
import { DEFAULT_HIGH_WATER_MARK, DEFAULT_LOW_WATER_MARK } from "../src/policies.ts";
import type { TCPTransport } from "../src/transport/tcp.ts";
import { defer, RememberingFactory, useLoopbackPorts } from "./helpers.ts";

const listen = useLoopbackPorts();
const PIECE = 4096;

/**
 * Echoes every read in PIECE-byte writes (so the buffer drains in steps smaller than the gap
 * between the marks) and notes, at the first read after the buffer went past the high-water
 * mark, how much was still queued: the level at which reading resumed.
 */
class PieceEcho extends Protocol {
  resumedAt: number[] = [];
  maxQueued = 0;
  #over = false;
  readonly paused = defer<void>();
  get #queued(): number {
    return (this.transport as TCPTransport).writeBufferSize;
  }
  override dataReceived(data: Buffer): void {
    if (this.#over) {
      this.resumedAt.push(this.#queued);
      this.#over = false;
    }
    for (let i = 0; i < data.length; i += PIECE) this.transport.write(data.subarray(i, i + PIECE));
    this.maxQueued = Math.max(this.maxQueued, this.#queued);
    if (this.#queued > DEFAULT_HIGH_WATER_MARK) {
      this.#over = true;
      this.paused.resolve();
    }
  }
}

describe("flow control: the low-water mark", () => {
  it("a slow reader: pauses and resumes at or below the low mark, bounded, byte for byte", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new PieceEcho());
    const port = await listen(reactor, servers);
    const total = 32 * 1024 * 1024;
    const sent = Buffer.alloc(total);
    for (let i = 0; i < total; i += 4) sent.writeUInt32LE((i * 2654435761) >>> 0, i);

    const client = net.connect(port, "127.0.0.1");
    client.pause(); // a peer that does not read (yet)
    const chunks: Buffer[] = [];

    let received = 0;
    const done = defer<void>();
    client.on("data", (d: Buffer) => {
      chunks.push(d);
      received += d.length;
      if (received >= total) done.resolve();
      else {
        // A slow reader: a pause after every read, so the server pauses and resumes many times.
        client.pause();
        setTimeout(() => client.resume(), 1);
      }
    });
    client.on("error", done.reject);
    await new Promise<void>((resolve) => client.once("connect", resolve));
    client.write(sent);

    const server = await servers.protocolAt(0);
    await server.paused.promise; // the server's buffer went past the high-water mark
    client.resume(); // now read, and let the server drain and resume, many times over
    await done.promise;
    client.destroy();

    expect(Buffer.concat(chunks).equals(sent)).toBe(true);
    expect(server.resumedAt.length).toBeGreaterThan(1);
    expect(server.resumedAt.every((level) => level <= DEFAULT_LOW_WATER_MARK)).toBe(true);
    // At most one read's echo (64 KiB) past the high-water mark before reading stops.
    expect(server.maxQueued).toBeLessThanOrEqual(DEFAULT_HIGH_WATER_MARK + 64 * 1024);
  }, 60_000);
});
