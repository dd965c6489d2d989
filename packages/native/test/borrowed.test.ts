/**
 * Received-data ownership on the native transport, over loopback with random read/write
 * splits: a protocol that does not opt in owns every Buffer it is given (no byte of a kept
 * Buffer ever changes, even while opted-in connections of the same process read into the
 * shared borrow buffer); an opted-in Echo echoes byte-exact when its writes are partial (a
 * peer that reads slowly), since the socket copies what the kernel does not take at once.
 */
import { randomBytes } from "node:crypto";
import * as net from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IListeningPort, IProtocol } from "../../core/src/index.ts";
import { createReactor, Factory, Protocol } from "../../core/src/index.ts";
import { Echo } from "../../echo/src/index.ts";
import { available } from "../src/index.ts";

function portOf(port: IListeningPort): number {
  return (port.getHost() as unknown as { port: number }).port;
}

/** Write `payload` cut at `cuts` (sizes, cycled), yielding to the loop between pieces. */
async function sendInPieces(s: net.Socket, payload: Buffer, cuts: number[]): Promise<void> {
  let at = 0;
  for (let i = 0; at < payload.length; i++) {
    const n = cuts[i % cuts.length]!;
    s.write(payload.subarray(at, at + n));
    at += n;
    if (i % 4 === 3) await new Promise((r) => setImmediate(r));
  }
}

/**
 * Connect, send `payload` in pieces, and collect what comes back until `expect` bytes came (0:
 * end after sending and collect until close). With `slow`, reading is paused while sending and
 * then resumed one chunk per loop turn.
 */
function exchange(
  port: number,
  payload: Buffer,
  cuts: number[],
  opts: { expect: number; slow: boolean; onSocket?: (s: net.Socket) => void },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const s = net.connect(port, "127.0.0.1");
    opts.onSocket?.(s);
    s.on("error", reject);
    s.on("close", () => resolve(Buffer.concat(chunks)));
    s.on("data", (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      if (opts.expect > 0 && got >= opts.expect) s.end();
      else if (opts.slow) {
        s.pause();
        setImmediate(() => s.resume());
      }
    });
    s.on("connect", async () => {
      if (opts.slow) s.pause();
      await sendInPieces(s, payload, cuts);
      if (opts.expect === 0) s.end();
      // Slow: start reading once everything is on its way (or the kernel buffers are full).
      if (opts.slow) setTimeout(() => s.resume(), 20);
    });
  });
}

describe.runIf(available)("received data on the native transport", () => {
  it("a protocol that does not opt in owns its Buffers: no kept byte ever changes", async () => {
    const reactor = createReactor({ transport: "native" });
    const kept: { chunk: Buffer; copy: Buffer }[] = [];
    class Keeper extends Protocol {
      override dataReceived(data: Buffer): void {
        kept.push({ chunk: data, copy: Buffer.from(data) });
      }
    }
    const keeper = await reactor.listenTCP(0, Factory.forProtocol(Keeper), {
      interface: "127.0.0.1",
    });
    const echo = await reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: "127.0.0.1" });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 300_000 }),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 8 }),
        async (size, keeperCuts, echoCuts) => {
          kept.length = 0;
          const mine = randomBytes(size);
          const other = randomBytes(size);
          // The echo connection reads into the shared borrow buffer meanwhile.
          const [, echoed] = await Promise.all([
            exchange(portOf(keeper), mine, keeperCuts, { expect: 0, slow: false }),
            exchange(portOf(echo), other, echoCuts, { expect: other.length, slow: false }),
          ]);
          expect(echoed.equals(other)).toBe(true);
          for (const { chunk, copy } of kept) expect(chunk.equals(copy)).toBe(true);
          expect(Buffer.concat(kept.map((k) => k.chunk)).equals(mine)).toBe(true);
        },
      ),
      { numRuns: 12 },
    );
    await keeper.stopListening();
    await echo.stopListening();
  }, 120_000);

  it("Echo opts in and echoes byte-exact under partial writes to slow readers", async () => {
    expect((new Echo() as IProtocol).receivesBorrowedData).toBe(true);
    const reactor = createReactor({ transport: "native" });
    let maxQueued = 0;
    class Watched extends Echo {
      override dataReceived(data: Buffer): void {
        super.dataReceived(data);
        const t = this.transport as unknown as { writeBufferSize: number };
        maxQueued = Math.max(maxQueued, t.writeBufferSize);
      }
    }
    const port = await reactor.listenTCP(0, Factory.forProtocol(Watched), {
      interface: "127.0.0.1",
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 200_000 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 2, max: 4 }),
        async (cuts, conns) => {
          // Several slow readers at once: each one's unsent bytes must survive the others'
          // reads into the same borrow buffer.
          const payloads = Array.from({ length: conns }, () => randomBytes(6 * 1024 * 1024));
          const echoed = await Promise.all(
            payloads.map((p) => exchange(portOf(port), p, cuts, { expect: p.length, slow: true })),
          );
          for (let i = 0; i < conns; i++) expect(echoed[i]!.equals(payloads[i]!)).toBe(true);
        },
      ),
      { numRuns: 4 },
    );
    // The partial-write path was taken (6 MiB per connection is more than the kernel holds
    // for a peer that does not read).
    expect(maxQueued).toBeGreaterThan(0);
    await port.stopListening();
  }, 180_000);
  it("an opted-in protocol writing parts of its chunk and sequences echoes byte-exact", async () => {
    const reactor = createReactor({ transport: "native" });
    const seen = new Map<number, Buffer[]>(); // by the client's port: copies of each chunk
    // Writes every chunk back as two subarrays (views into the borrow buffer, not the view it
    // was handed) and then as a corked sequence of the same: a slow reader gets it twice.
    class Twice extends Protocol {
      get receivesBorrowedData(): boolean {
        return true;
      }
      override dataReceived(data: Buffer): void {
        const peer = (this.transport.getPeer() as unknown as { port: number }).port;
        if (!seen.has(peer)) seen.set(peer, []);
        seen.get(peer)!.push(Buffer.from(data));
        const cut = data.length >> 1;
        this.transport.write(data.subarray(0, cut));
        this.transport.write(data.subarray(cut));
        this.transport.writeSequence([data.subarray(0, cut), data.subarray(cut)]);
      }
    }
    const port = await reactor.listenTCP(0, Factory.forProtocol(Twice), {
      interface: "127.0.0.1",
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 6 }),
        async (cuts) => {
          seen.clear();
          const payloads = [randomBytes(3 * 1024 * 1024), randomBytes(3 * 1024 * 1024)];
          const ports: number[] = [];
          const echoed = await Promise.all(
            payloads.map((p, i) =>
              exchange(portOf(port), p, cuts, {
                expect: 2 * p.length,
                slow: true,
                onSocket: (sock) => sock.on("connect", () => (ports[i] = sock.localPort!)),
              }),
            ),
          );
          for (let i = 0; i < payloads.length; i++) {
            // The server saw the payload, and sent each chunk back twice in a row.
            const chunks = seen.get(ports[i]!)!;
            expect(Buffer.concat(chunks).equals(payloads[i]!)).toBe(true);
            expect(echoed[i]!.equals(Buffer.concat(chunks.flatMap((c) => [c, c])))).toBe(true);
          }
        },
      ),
      { numRuns: 3 },
    );
    await port.stopListening();
  }, 180_000);
});
