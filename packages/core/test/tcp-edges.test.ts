/**
 * Edge cases of the TCP transport and of reconnection, over real loopback sockets: repeated and
 * mixed close calls, aborting with unsent data, callbacks after `connectionLost`, and
 * `ReconnectingClientFactory` driving a real connector.
 */
import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { ConnectionAborted } from "../src/errors.ts";
import {
  ConnectionDone,
  ConnectionRefusedError,
  createReactor,
  Factory,
  type Failure,
  type IConnector,
  ReconnectingClientFactory,
} from "../src/index.ts";
import type { NodeReactor } from "../src/reactor/node-reactor.ts";
import { connectTCP } from "../src/reactor/tcp.ts";
import { Clock } from "../src/testing/clock.ts";
import type { TCPTransport } from "../src/transport/tcp.ts";
import {
  captureLogs,
  connectTo,
  defer,
  Echo,
  portOf,
  Recorder,
  RememberingFactory,
  turns,
  useLoopbackPorts,
} from "./helpers.ts";

const listen = useLoopbackPorts();

/** A Recorder that counts every callback, including those (wrongly) made after connectionLost. */
class Counting extends Recorder {
  lostCalls = 0;
  afterLost: string[] = [];
  override dataReceived(data: Buffer): void {
    if (this.lostCalls > 0) this.afterLost.push("dataReceived");
    super.dataReceived(data);
  }
  readConnectionLost(): void {
    if (this.lostCalls > 0) this.afterLost.push("readConnectionLost");
  }
  writeConnectionLost(): void {
    if (this.lostCalls > 0) this.afterLost.push("writeConnectionLost");
  }
  override connectionLost(reason: Failure): void {
    this.lostCalls++;
    super.connectionLost(reason);
  }
}

describe("TCP transport edge cases", () => {
  it("loseConnection twice, then abortConnection: connectionLost exactly once", async () => {
    const reactor = createReactor();
    const port = await listen(reactor, Factory.forProtocol(Echo));
    const client = await connectTo(reactor, port, new Counting());
    client.transport.loseConnection();
    client.transport.loseConnection();
    client.tcp.abortConnection();
    client.tcp.abortConnection();
    await client.lost;
    await turns(10);
    client.transport.loseConnection();
    client.tcp.abortConnection();
    client.transport.write("after the end");
    client.tcp.writeSequence(["after", "the", "end"]);
    await turns(10);
    expect(client.lostCalls).toBe(1);
    expect(client.afterLost).toEqual([]);
  });

  it("abortConnection after loseWriteConnection still closes (connectionLost once)", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new Counting());
    const port = await listen(reactor, servers);
    const client = await connectTo(reactor, port, new Counting());
    const server = await servers.protocolAt(0);
    await server.made;
    client.tcp.loseWriteConnection();
    client.tcp.abortConnection();
    expect((await client.lost).check(ConnectionAborted)).toBe(ConnectionAborted);
    // The server is half-closeable: it heard the FIN and may still write; close it.
    server.transport.loseConnection();
    await server.lost;
    await turns(10);
    expect(client.lostCalls).toBe(1);
    expect(client.afterLost).toEqual([]);
  });

  it("abortConnection with megabytes unsent: ConnectionAborted at once, a reset at the peer", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new Counting());
    const port = await listen(reactor, servers);
    // A raw client that never reads: the server's writes pile up in its buffer.
    const raw = net.connect(port, "127.0.0.1");
    const rawClosed = defer<Error | undefined>();
    raw.on("error", (e) => rawClosed.resolve(e));
    raw.on("close", () => rawClosed.resolve(undefined));
    raw.pause();
    const server = await servers.protocolAt(0);
    await server.made;
    const chunk = Buffer.alloc(1024 * 1024, 120);
    for (let i = 0; i < 32; i++) server.transport.write(chunk);
    expect((server.tcp as TCPTransport).writeBufferSize).toBeGreaterThan(0);
    server.tcp.abortConnection();
    server.transport.write(chunk); // dropped
    expect((await server.lost).check(ConnectionAborted)).toBe(ConnectionAborted);
    const error = (await rawClosed.promise) as NodeJS.ErrnoException | undefined;
    expect(error?.code).toBe("ECONNRESET");
    await turns(10);
    expect(server.lostCalls).toBe(1);
    expect(server.afterLost).toEqual([]);
  });

  it("no callback after connectionLost, even when the peer keeps sending and half-closes", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new Counting());
    const port = await listen(reactor, servers);
    const raw = net.connect(port, "127.0.0.1");
    raw.on("error", () => {});
    const server = await servers.protocolAt(0);
    await server.made;
    server.tcp.abortConnection();
    raw.write("late bytes");
    raw.end();
    await server.lost;
    await turns(20);
    expect(server.lostCalls).toBe(1);
    expect(server.afterLost).toEqual([]);
    raw.destroy();
  });

  it("a protocol whose connectionLost throws is told once; the error is logged", async () => {
    const reactor = createReactor();
    class Throws extends Counting {
      override connectionLost(reason: Failure): void {
        super.connectionLost(reason);
        throw new Error("connectionLost exploded");
      }
    }
    const port = await listen(reactor, Factory.forProtocol(Echo));
    const logs = captureLogs();
    try {
      const client = await connectTo(reactor, port, new Throws());
      client.transport.loseConnection();
      await client.lost;
      await turns(10);
      expect(client.lostCalls).toBe(1);
      expect(
        logs.events.some(
          (e) => e.callback === "connectionLost" && e.log_system === "Throws,client",
        ),
      ).toBe(true);
    } finally {
      logs.stop();
    }
  });
});

describe("ReconnectingClientFactory over a real socket", () => {
  /** A reactor whose time is a Clock (for the retry delays) but whose sockets are real. */
  function timedReactor(): { clock: Clock; reactor: NodeReactor; timed: Clock & NodeReactor } {
    const reactor = createReactor();
    const clock = new Clock();
    const timed = Object.assign(clock, {
      addSystemEventTrigger: reactor.addSystemEventTrigger.bind(reactor),
      removeSystemEventTrigger: reactor.removeSystemEventTrigger.bind(reactor),
    }) as unknown as Clock & NodeReactor;
    return { clock, reactor, timed };
  }

  it("reconnects after a lost connection, on the clock, and resetDelay starts over", async () => {
    const { clock, reactor, timed } = timedReactor();
    const servers = new RememberingFactory(() => new Recorder());
    const port = await listen(reactor, servers);
    const clients: Recorder[] = [];
    const nextClient: Array<(p: Recorder) => void> = [];
    const factory = new (class extends ReconnectingClientFactory {
      override buildProtocol(): Recorder {
        const p = new Recorder();
        clients.push(p);
        void p.made.then(() => this.resetDelay());
        nextClient.shift()?.(p);
        return p;
      }
    })({ clock, jitter: 0 });
    factory.noisy = false;
    const first = new Promise<Recorder>((r) => nextClient.push(r));
    const connector = connectTCP(timed, "127.0.0.1", port, factory);
    const c1 = await first;
    await c1.made;
    const s1 = await servers.protocolAt(0);
    await s1.made;

    const second = new Promise<Recorder>((r) => nextClient.push(r));
    s1.transport.loseConnection();
    expect((await c1.lost).check(ConnectionDone)).toBe(ConnectionDone);
    expect(factory.retryScheduled).toBe(true);
    expect(connector.state).toBe("disconnected");
    expect(clock.getDelayedCalls()).toHaveLength(1);
    expect(clock.getDelayedCalls()[0]!.getTime()).toBeCloseTo(Math.E, 9);
    clock.advance(Math.E);
    expect(connector.state).toBe("connecting");
    const c2 = await second;
    await c2.made;
    expect(factory.delay).toBe(factory.initialDelay);
    expect(factory.retries).toBe(0);

    factory.stopTrying();
    connector.disconnect();
    await c2.lost;
    expect(factory.retryScheduled).toBe(false);
    expect(clock.getDelayedCalls()).toEqual([]);
    expect(factory.numPorts).toBe(0);
  });

  it("retries a refused connection with growing delays until maxRetries, then stops the factory", async () => {
    const { clock, reactor, timed } = timedReactor();
    // A port that was open and is now closed: connecting to it is refused.
    const port = await reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: "127.0.0.1" });
    const number = portOf(port);
    await port.stopListening();
    const failures: Failure[] = [];
    let failed = defer<void>();
    const factory = new (class extends ReconnectingClientFactory {
      override clientConnectionFailed(connector: IConnector, reason: Failure): void {
        failures.push(reason);
        super.clientConnectionFailed(connector, reason);
        failed.resolve();
      }
    })({ clock, jitter: 0, maxRetries: 2 });
    factory.noisy = false;
    const connector = connectTCP(timed, "127.0.0.1", number, factory);
    const delays: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      await failed.promise;
      failed = defer<void>();
      expect(connector.state).toBe("disconnected");
      const calls = clock.getDelayedCalls();
      if (attempt < 2) {
        expect(calls).toHaveLength(1);
        delays.push(calls[0]!.getTime() - clock.seconds());
        clock.advance(calls[0]!.getTime() - clock.seconds());
        expect(connector.state).toBe("connecting");
      } else {
        expect(calls).toEqual([]);
      }
    }
    expect(failures).toHaveLength(3);
    for (const f of failures) expect(f.check(ConnectionRefusedError)).toBe(ConnectionRefusedError);
    expect(delays[0]).toBeCloseTo(Math.E, 9);
    expect(delays[1]).toBeCloseTo(Math.E * Math.E, 9);
    expect(factory.numPorts).toBe(0);
  });
});
