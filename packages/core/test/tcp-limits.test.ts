/**
 * Bounded memory over loopback TCP: flow control by default on server connections (reading
 * pauses while the write buffer is past its high-water mark), the ceiling on unsent data, and
 * the deadlock a bulk-writing client must not fall into.
 */
import { describe, expect, it } from "vitest";
import {
  ConnectionAborted,
  createReactor,
  DEFAULT_HIGH_WATER_MARK,
  type Failure,
  type IPullProducer,
  type TCPTransport,
  UnsentDataLimitExceeded,
} from "../src/index.ts";
import {
  captureLogs,
  connectTo,
  Echo,
  Recorder,
  RememberingFactory,
  turns,
  useLoopbackPorts,
} from "./helpers.ts";

const listen = useLoopbackPorts();
const MiB = 1024 * 1024;

/** An echo server that records the largest write buffer it saw after writing. */
class MeasuringEcho extends Recorder {
  maxBuffered = 0;
  count = 0;
  override dataReceived(data: Buffer): void {
    this.count += data.length;
    this.transport.write(data);
    const n = (this.transport as TCPTransport).writeBufferSize;
    if (n > this.maxBuffered) this.maxBuffered = n;
  }
}

/** A deterministic byte pattern: `length` bytes starting at `offset` of an endless sequence. */
const PATTERN = Buffer.from(Array.from({ length: 65_521 }, (_, i) => (i * 7919 + 13) % 251));
function patternAt(offset: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let o = 0;
  while (o < length) {
    const start = (offset + o) % PATTERN.length;
    o += PATTERN.copy(out, o, start, Math.min(PATTERN.length, start + length - o));
  }
  return out;
}

/** A client that checks what it receives against {@link patternAt} instead of keeping it. */
class PatternChecker extends Recorder {
  got = 0;
  mismatch = -1;
  #waiting: { n: number; resolve: () => void } | undefined;
  override dataReceived(data: Buffer): void {
    if (this.mismatch < 0 && !data.equals(patternAt(this.got, data.length)))
      this.mismatch = this.got;
    this.got += data.length;
    if (this.#waiting !== undefined && this.got >= this.#waiting.n) this.#waiting.resolve();
  }
  until(n: number): Promise<void> {
    return this.got >= n
      ? Promise.resolve()
      : new Promise((resolve) => (this.#waiting = { n, resolve }));
  }
}

/** Wait until `value()` has not changed for `quiet` consecutive checks ~10 ms apart. */
async function untilStable(value: () => number, quiet = 15): Promise<void> {
  let last = -1;
  let same = 0;
  for (let i = 0; i < 3000 && same < quiet; i++) {
    const v = value();
    same = v === last ? same + 1 : 0;
    last = v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("flow control on server connections", () => {
  it("an echo server facing a client that never reads stops reading: its buffer stays bounded", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new MeasuringEcho());
    const port = await listen(reactor, servers);
    const client = await connectTo(reactor, port, new PatternChecker());
    client.tcp.pauseProducing(); // never reads
    const total = 48 * MiB; // far more than loopback's socket buffers hold
    const sent = patternAt(0, total);
    for (let o = 0; o < total; o += MiB) client.transport.write(sent.subarray(o, o + MiB));
    const server = await servers.protocolAt(0);
    await untilStable(() => server.count);
    // What the server took in is what the kernel buffers hold plus about one high-water mark.
    expect(server.count).toBeLessThan(total);
    expect(server.maxBuffered).toBeLessThanOrEqual(DEFAULT_HIGH_WATER_MARK + 2 * 64 * 1024);
    expect((server.transport as TCPTransport).writeBufferSize).toBeLessThanOrEqual(
      DEFAULT_HIGH_WATER_MARK + 2 * 64 * 1024,
    );

    // The client reads again: reading resumes and every byte comes back, in order.
    client.tcp.resumeProducing();
    await client.until(total);
    expect(client.got).toBe(total);
    expect(client.mismatch).toBe(-1);
    client.transport.loseConnection();
    await client.lost;
  });

  it("the deadlock case: a client writing 256 MiB while reading the echo completes, byte for byte", async () => {
    const reactor = createReactor();
    const port = await listen(reactor, new RememberingFactory(() => new Echo()));
    const total = 256 * MiB;
    const chunk = 64 * 1024;
    let mismatch = -1;
    let got = 0;
    class BulkClient extends Recorder {
      override connectionMade(): void {
        super.connectionMade();
        const t = this.transport as TCPTransport;
        let sent = 0;
        const producer: IPullProducer = {
          resumeProducing: () => {
            if (sent >= total) {
              t.unregisterProducer();
              return;
            }
            t.write(patternAt(sent, chunk));
            sent += chunk;
          },
          stopProducing: () => {},
        };
        t.registerProducer(producer, false);
      }
      override dataReceived(data: Buffer): void {
        if (mismatch < 0 && !data.equals(patternAt(got, data.length))) mismatch = got;
        got += data.length;
        if (got >= total) this.transport.loseConnection();
      }
    }
    const client = await connectTo(reactor, port, new BulkClient());
    await client.lost;
    expect(got).toBe(total);
    expect(mismatch).toBe(-1);
  }, 120_000);

  it("a server protocol can turn pausing off; the unsent-data ceiling then aborts it, logged and named", async () => {
    const reactor = createReactor();
    class Unbounded extends MeasuringEcho {
      override connectionMade(): void {
        (this.transport as TCPTransport).setFlowControl({
          pauseReading: false,
          maxUnsent: 2 * MiB,
        });
      }
    }
    const servers = new RememberingFactory(() => new Unbounded());
    const port = await listen(reactor, servers);
    const logs = captureLogs();
    try {
      const client = await connectTo(reactor, port, new Recorder());
      client.tcp.pauseProducing();
      const server = await servers.protocolAt(0);
      const lost = server.lost;
      const block = Buffer.alloc(MiB, 1);
      let reason: Failure | undefined;
      void lost.then((r) => {
        reason = r;
      });
      // Keep sending until the server gives up (it reads everything: its buffer grows).
      for (let i = 0; i < 256 && reason === undefined; i++) {
        client.transport.write(block);
        await turns(5);
      }
      const r = await lost;
      expect(r.check(UnsentDataLimitExceeded)).toBe(UnsentDataLimitExceeded);
      expect(r.check(ConnectionAborted)).toBe(ConnectionAborted);
      expect(server.maxBuffered).toBeGreaterThan(DEFAULT_HIGH_WATER_MARK);
      const logged = logs.events.find((e) => String(e.error ?? "").includes("maxUnsent"));
      expect(logged?.log_system).toMatch(/^Unbounded,\d+,127\.0\.0\.1$/);
      client.tcp.resumeProducing(); // a paused socket would not notice the reset
      await client.lost;
    } finally {
      logs.stop();
    }
  });

  it("the ceiling is per factory too, and Infinity turns it off", async () => {
    const reactor = createReactor();
    const blob = Buffer.alloc(MiB, 7);
    class Blaster extends Recorder {
      override connectionMade(): void {
        super.connectionMade();
        // 32 MiB in one go, to a client that is not reading: the kernel cannot take it all.
        for (let i = 0; i < 32; i++) this.transport.write(blob);
      }
    }
    const limited = new RememberingFactory(() => new Blaster());
    limited.flowControl = { maxUnsent: 4 * MiB };
    const unlimited = new RememberingFactory(() => new Blaster());
    unlimited.flowControl = { maxUnsent: Infinity };
    const logs = captureLogs();
    try {
      const a = await connectTo(reactor, await listen(reactor, limited), new Recorder());
      a.tcp.pauseProducing();
      const aServer = await limited.protocolAt(0);
      expect((await aServer.lost).check(UnsentDataLimitExceeded)).toBe(UnsentDataLimitExceeded);
      a.tcp.resumeProducing();
      await a.lost;

      const b = await connectTo(reactor, await listen(reactor, unlimited), new PatternChecker());
      const bServer = await unlimited.protocolAt(0);
      await b.until(32 * MiB);
      expect((bServer.transport as TCPTransport).connected).toBe(true);
      b.transport.loseConnection();
      await bServer.lost;
    } finally {
      logs.stop();
    }
  });

  it("invalid marks are refused", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new Recorder());
    const port = await listen(reactor, servers);
    const client = await connectTo(reactor, port, new Recorder());
    const t = client.transport as TCPTransport;
    expect(t.flowControl.pauseReading).toBe(false); // clients do not pause by default
    expect(() => t.setFlowControl({ lowWaterMark: 10, highWaterMark: 5 })).toThrow(RangeError);
    expect(() => t.setFlowControl({ maxUnsent: -1 })).toThrow(RangeError);
    t.setFlowControl({ pauseReading: true });
    expect(t.flowControl.pauseReading).toBe(true);
    const server = await servers.protocolAt(0);
    expect((server.transport as TCPTransport).flowControl.pauseReading).toBe(true);
    t.loseConnection();
    await client.lost;
  });
});
