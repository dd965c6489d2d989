/**
 * Flow control over loopback TCP: half-close, producers and consumers, pausing the transport.
 */
import { getDefaultHighWaterMark } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  ConnectionDone,
  createReactor,
  Factory,
  type IHalfCloseableProtocol,
  type IPullProducer,
  type IPushProducer,
} from "../src/index.ts";
import type { TCPTransport } from "../src/transport/tcp.ts";
import {
  connectTo,
  defer,
  Echo,
  Recorder,
  RememberingFactory,
  turns,
  useLoopbackPorts,
} from "./helpers.ts";

const listen = useLoopbackPorts();

/** Records half-close callbacks; answers "got N bytes" when the peer stops sending. */
class HalfCloser extends Recorder implements IHalfCloseableProtocol {
  events: string[] = [];
  readConnectionLost(): void {
    this.events.push("readConnectionLost");
    this.transport.write(`got ${this.received.length} bytes`);
    (this.transport as TCPTransport).loseWriteConnection();
  }
  writeConnectionLost(): void {
    this.events.push("writeConnectionLost");
  }
}

class ClientHalfCloser extends Recorder implements IHalfCloseableProtocol {
  events: string[] = [];
  readConnectionLost(): void {
    this.events.push("readConnectionLost");
  }
  writeConnectionLost(): void {
    this.events.push("writeConnectionLost");
  }
}

describe("half-close", () => {
  it("a half-closeable protocol hears each half close and may still write", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new HalfCloser());
    const port = await listen(reactor, servers);
    const client = await connectTo(reactor, port, new ClientHalfCloser());
    client.transport.write("12345");
    client.tcp.loseWriteConnection();
    const reason = await client.lost;
    expect(reason.check(ConnectionDone)).toBe(ConnectionDone);
    expect(client.received.toString()).toBe("got 5 bytes");
    expect(client.events).toEqual(["writeConnectionLost", "readConnectionLost"]);
    const server = servers.built[0]!;
    expect((await server.lost).check(ConnectionDone)).toBe(ConnectionDone);
    expect(server.events).toEqual(["readConnectionLost", "writeConnectionLost"]);
  });

  it("without IHalfCloseableProtocol the connection closes on the peer's FIN, after flushing", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new Echo());
    const port = await listen(reactor, servers);
    const client = await connectTo(reactor, port, new ClientHalfCloser());
    client.transport.write("echo me");
    client.tcp.loseWriteConnection();
    expect((await client.lost).check(ConnectionDone)).toBe(ConnectionDone);
    expect(client.received.toString()).toBe("echo me");
    expect(client.events).toContain("readConnectionLost");
  });
});

/** A push producer that writes `chunk` on every turn of the event loop while not paused. */
class Firehose implements IPushProducer {
  paused = false;
  stopped = false;
  written = 0;
  pauses = 0;
  resumes = 0;
  #scheduled = false;
  constructor(
    readonly transport: TCPTransport,
    readonly chunk: Buffer,
    readonly limit: number,
  ) {}
  start(): void {
    this.transport.registerProducer(this, true);
    this.#schedule();
  }
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      // Write until told to pause (as a well-behaved producer does), then wait.
      while (!this.paused && !this.stopped && this.written < this.limit) {
        this.transport.write(this.chunk);
        this.written += this.chunk.length;
      }
      if (this.written >= this.limit && !this.stopped) {
        this.transport.unregisterProducer();
        this.transport.loseConnection();
      }
    });
  }
  pauseProducing(): void {
    this.paused = true;
    this.pauses++;
  }
  resumeProducing(): void {
    this.paused = false;
    this.resumes++;
    this.#schedule();
  }
  stopProducing(): void {
    this.stopped = true;
  }
}

describe("producers and consumers", () => {
  it("a push producer writing to a client that never reads is paused: bounded memory", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new Recorder());
    const port = await listen(reactor, servers);
    const client = await connectTo(reactor, port, new Recorder());
    client.tcp.pauseProducing(); // the client stops reading: the kernel buffers fill up
    const server = await servers.protocolAt(0);
    await server.made;
    const t = server.transport as TCPTransport;
    const chunk = Buffer.alloc(64 * 1024, 120);
    const limit = 2 * 1024 ** 3; // far more than any socket buffer
    const producer = new Firehose(t, chunk, limit);
    const heapBefore = process.memoryUsage().arrayBuffers;
    producer.start();
    // Wait until the producer has been paused and nothing more gets written for a while.
    let last = -1;
    for (let i = 0; i < 1000 && (!producer.paused || producer.written !== last); i++) {
      last = producer.written;
      await turns(20);
    }
    expect(producer.paused).toBe(true);
    // What was written is what the kernel's socket buffers took plus at most one high-water
    // mark and one chunk in user space (Node's default high-water mark: 16 KiB on Node 20,
    // 64 KiB from Node 22).
    const highWater = getDefaultHighWaterMark(false);
    expect(t.writeBufferSize).toBeLessThanOrEqual(highWater + chunk.length);
    expect(producer.written).toBeLessThan(64 * 1024 ** 2);
    await turns(50);
    expect(producer.paused).toBe(true);
    expect(producer.written).toBe(last);
    expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(64 * 1024 ** 2);

    // The client reads again: the producer is resumed and everything arrives.
    const written = producer.written;
    client.tcp.resumeProducing();
    await client.receivedAtLeast(written + chunk.length);
    expect(producer.resumes).toBeGreaterThan(0);
    producer.stopProducing();
    t.unregisterProducer();
    t.abortConnection();
    await client.lost;
  });

  it("a pull producer is asked for one chunk at a time until it unregisters", async () => {
    const reactor = createReactor();
    const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(10_000, 65 + (i % 26)));
    let asked = 0;
    class Sender extends Recorder {
      override connectionMade(): void {
        super.connectionMade();
        const t = this.transport as TCPTransport;
        const producer: IPullProducer = {
          resumeProducing: () => {
            asked++;
            const next = chunks[asked - 1];
            if (next === undefined) {
              t.unregisterProducer();
              t.loseConnection();
            } else {
              t.write(next);
            }
          },
          stopProducing: () => {},
        };
        t.registerProducer(producer, false);
        t.loseConnection(); // waits for the pull producer to unregister, as in Twisted
      }
    }
    const port = await listen(reactor, new RememberingFactory(() => new Sender()));
    const client = await connectTo(reactor, port, new Recorder());
    expect((await client.lost).check(ConnectionDone)).toBe(ConnectionDone);
    expect(client.received.equals(Buffer.concat(chunks))).toBe(true);
    expect(asked).toBe(chunks.length + 1);
  });

  it("registering a second producer throws; a closed transport stops a new producer at once", async () => {
    const reactor = createReactor();
    const port = await listen(reactor, Factory.forProtocol(Echo));
    const client = await connectTo(reactor, port, new Recorder());
    const p1 = { pauseProducing() {}, resumeProducing() {}, stopProducing() {} };
    client.tcp.registerProducer(p1, true);
    expect(() => client.tcp.registerProducer(p1, true)).toThrow(/never unregistered/);
    client.tcp.unregisterProducer();
    client.transport.loseConnection();
    await client.lost;
    let stopped = false;
    client.tcp.registerProducer(
      { resumeProducing() {}, stopProducing: () => (stopped = true) },
      false,
    );
    expect(stopped).toBe(true);
  });

  it("the transport stops a registered producer when the connection is lost", async () => {
    const reactor = createReactor();
    const port = await listen(reactor, Factory.forProtocol(Echo));
    const client = await connectTo(reactor, port, new Recorder());
    const stopped = defer<void>();
    client.tcp.registerProducer(
      { pauseProducing() {}, resumeProducing() {}, stopProducing: () => stopped.resolve() },
      true,
    );
    client.tcp.abortConnection();
    await stopped.promise;
    await client.lost;
  });

  it("pauseProducing on the transport stops dataReceived until resumeProducing", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new Recorder());
    const port = await listen(reactor, servers);
    const client = await connectTo(reactor, port, new Recorder());
    const server = await servers.protocolAt(0);
    await server.made;
    server.tcp.pauseProducing();
    client.transport.write("while paused");
    // A round trip on another connection proves the bytes had time to arrive.
    const other = await connectTo(reactor, port, new Recorder());
    other.transport.loseConnection();
    await other.lost;
    await turns(20);
    expect(server.chunks).toEqual([]);
    server.tcp.resumeProducing();
    await server.receivedAtLeast(12);
    expect(server.received.toString()).toBe("while paused");
    client.transport.loseConnection();
    await client.lost;
  });
});
