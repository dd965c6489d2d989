/**
 * Over loopback TCP: `async` protocol callbacks whose promise rejects are handled as thrown
 * exceptions; connection ends are told apart by {@link describeConnectionLoss}; a server that
 * aborts in `connectionMade` gives its client Twisted's order of events.
 */
import { describe, expect, it } from "vitest";
import { ConnectionAborted, UnsentDataDropped } from "../src/errors.ts";
import {
  ConnectionDone,
  ConnectionLost,
  createReactor,
  Deferred,
  describeConnectionLoss,
  type Failure,
  TimeoutFactory,
} from "../src/index.ts";
import type { TCPTransport } from "../src/transport/tcp.ts";
import {
  captureLogs,
  connectTo,
  OneShotFactory,
  portOf,
  Recorder,
  RememberingFactory,
  useLoopbackPorts,
} from "./helpers.ts";

const listen = useLoopbackPorts();

class Boom extends Error {}

/** Rejects from the callback its first message names; echoes anything else. */
class AsyncFragile extends Recorder {
  rejectInLost = false;
  override async dataReceived(data: Buffer): Promise<void> {
    super.dataReceived(data);
    await Promise.resolve();
    const text = data.toString();
    if (text.startsWith("boom")) throw new Boom("async dataReceived rejected");
    if (text.startsWith("lost")) this.rejectInLost = true;
    this.transport.write(data);
  }
  override async connectionLost(reason: Failure): Promise<void> {
    super.connectionLost(reason);
    await Promise.resolve();
    if (this.rejectInLost) throw new Boom("async connectionLost rejected");
  }
}

function boomLogged(events: ReadonlyArray<Record<string, unknown>>, callback: string) {
  return events.find(
    (e) =>
      e.callback === callback &&
      e.log_failure !== undefined &&
      (e.log_failure as Failure).check(Boom) !== undefined,
  );
}

describe("async callbacks", () => {
  it("a rejected dataReceived is logged with the prefix and aborts that connection only", async () => {
    const logs = captureLogs();
    try {
      const reactor = createReactor();
      const servers = new RememberingFactory(() => new AsyncFragile());
      const port = await listen(reactor, servers);
      const victim = await connectTo(reactor, port, new Recorder());
      const bystander = await connectTo(reactor, port, new Recorder());
      victim.transport.write("boom");
      expect((await victim.lost).check(ConnectionLost)).toBe(ConnectionLost);
      const serverReason = await (await servers.protocolAt(0)).lost;
      expect(serverReason.check(ConnectionAborted)).toBe(ConnectionAborted);
      expect((serverReason.value as Error).cause).toBeInstanceOf(Boom);
      expect(describeConnectionLoss(serverReason)).toMatchObject({ kind: "aborted" });
      expect(describeConnectionLoss(serverReason).message).toContain("dataReceived");
      expect(boomLogged(logs.events, "dataReceived")?.log_system).toBe("AsyncFragile,0,127.0.0.1");

      bystander.transport.write("still fine");
      await bystander.receivedAtLeast(10);
      expect(bystander.received.toString()).toBe("still fine");
      bystander.transport.loseConnection();
      await bystander.lost;
    } finally {
      logs.stop();
    }
  });

  it("a failed Deferred from connectionMade aborts; a rejected connectionLost is logged", async () => {
    const logs = captureLogs();
    try {
      const reactor = createReactor();
      class DeferredRude extends Recorder {
        override connectionMade(): Deferred<void> {
          const d = new Deferred<void>();
          setImmediate(() => d.errback(new Boom("connectionMade's Deferred failed")));
          return d;
        }
      }
      const rude = new RememberingFactory(() => new DeferredRude());
      const client = await connectTo(reactor, await listen(reactor, rude), new Recorder());
      await client.lost;
      expect((await (await rude.protocolAt(0)).lost).check(ConnectionAborted)).toBe(
        ConnectionAborted,
      );
      expect(boomLogged(logs.events, "connectionMade")?.log_system).toBe(
        "DeferredRude,0,127.0.0.1",
      );

      const fragile = new RememberingFactory(() => new AsyncFragile());
      const c2 = await connectTo(reactor, await listen(reactor, fragile), new Recorder());
      c2.transport.write("lost");
      await c2.receivedAtLeast(4);
      c2.transport.loseConnection();
      await c2.lost;
      await (await fragile.protocolAt(0)).lost;
      for (let i = 0; i < 100 && boomLogged(logs.events, "connectionLost") === undefined; i++)
        await new Promise((r) => setImmediate(r));
      expect(boomLogged(logs.events, "connectionLost")?.log_system).toBe(
        "AsyncFragile,0,127.0.0.1",
      );
    } finally {
      logs.stop();
    }
  });
});

describe("connection loss reasons", () => {
  it("clean close, reset by the peer (ECONNRESET) and abort are told apart", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new Recorder());
    const port = await listen(reactor, servers);

    const clean = await connectTo(reactor, port, new Recorder());
    clean.transport.loseConnection();
    expect(describeConnectionLoss(await clean.lost)).toEqual({
      kind: "clean",
      message: "closed cleanly",
    });
    expect(describeConnectionLoss(await (await servers.protocolAt(0)).lost).kind).toBe("clean");

    const reset = await connectTo(reactor, port, new Recorder());
    const server = await servers.protocolAt(1);
    (reset.transport as TCPTransport).abortConnection();
    expect(describeConnectionLoss(await reset.lost)).toEqual({
      kind: "aborted",
      message: "aborted",
    });
    expect(describeConnectionLoss(await server.lost)).toEqual({
      kind: "lost",
      message: "lost (ECONNRESET)",
      code: "ECONNRESET",
    });
  });
});

describe("timed out and dropped at shutdown", () => {
  it("TimeoutFactory's close is told as timed out (still a ConnectionDone)", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new Recorder());
    const timed = new TimeoutFactory(servers, { clock: reactor, timeoutPeriod: 0.05 });
    const client = await connectTo(reactor, await listen(reactor, timed), new Recorder());
    const reason = await (await servers.protocolAt(0)).lost;
    expect(reason.check(ConnectionDone)).toBe(ConnectionDone);
    expect(describeConnectionLoss(reason)).toEqual({ kind: "timedOut", message: "timed out" });
    expect(describeConnectionLoss(await client.lost).kind).toBe("clean");
  });

  it("reactor shutdown with unsent data reports how much was dropped", async () => {
    const reactor = createReactor();
    const running = reactor.run({ installSignalHandlers: false });
    const servers = new RememberingFactory(() => new Recorder());
    const port = await reactor.listenTCP(0, servers, { interface: "127.0.0.1" });
    const client = await connectTo(reactor, portOf(port), new Recorder());
    client.tcp.pauseProducing();
    const server = await servers.protocolAt(0);
    const blob = Buffer.alloc(1024 * 1024, 3);
    for (let i = 0; i < 32; i++) server.transport.write(blob); // more than the kernel takes
    reactor.stop();
    await running;
    const reason = await server.lost;
    expect(reason.check(UnsentDataDropped)).toBe(UnsentDataDropped);
    expect(reason.check(ConnectionDone)).toBe(ConnectionDone);
    const d = describeConnectionLoss(reason);
    expect(d.kind).toBe("droppedAtShutdown");
    expect(d.message).toMatch(/^unsent data dropped at shutdown \(\d+ bytes\)$/);
  });
});

describe("abortConnection in a server's connectionMade", () => {
  it("the client sees connectionMade, then connectionLost with ConnectionLost (Twisted's order)", async () => {
    const reactor = createReactor();
    class Slammer extends Recorder {
      override connectionMade(): void {
        (this.transport as TCPTransport).abortConnection();
      }
    }
    const port = await listen(reactor, new RememberingFactory(() => new Slammer()));
    for (let i = 0; i < 5; i++) {
      const events: string[] = [];
      class Watcher extends Recorder {
        override connectionMade(): void {
          events.push("connectionMade");
          super.connectionMade();
        }
        override connectionLost(reason: Failure): void {
          events.push(reason.check(ConnectionLost) ? "ConnectionLost" : String(reason));
          super.connectionLost(reason);
        }
      }
      const factory = new OneShotFactory(new Watcher());
      void factory.failed.promise.then((f) => events.push(`clientConnectionFailed ${f}`));
      reactor.connectTCP("127.0.0.1", port, factory);
      await Promise.race([factory.lostConnection.promise, factory.failed.promise]);
      expect(events).toEqual(["connectionMade", "ConnectionLost"]);
    }
  });
});
