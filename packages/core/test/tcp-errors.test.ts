/**
 * Failures over loopback TCP: exceptions in protocol callbacks abort only their connection and
 * are logged with the connection's context; the reactor's shutdown closes everything; IPv6.
 */
import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { ConnectionAborted } from "../src/errors.ts";
import {
  ConnectError,
  ConnectionDone,
  ConnectionLost,
  createReactor,
  Factory,
  type Failure,
  IPv6Address,
} from "../src/index.ts";
import type { TCPTransport } from "../src/transport/tcp.ts";
import {
  captureLogs,
  connectTo,
  Echo,
  OneShotFactory,
  portOf,
  Recorder,
  RememberingFactory,
  useLoopbackPorts,
} from "./helpers.ts";

const listen = useLoopbackPorts();

class Boom extends Error {}

/** Echoes, but throws from the callback named in its first message ("data", "lost"). */
class Fragile extends Recorder {
  throwInLost = false;
  override dataReceived(data: Buffer): void {
    super.dataReceived(data);
    const text = data.toString();
    if (text.startsWith("boom")) throw new Boom("dataReceived exploded");
    if (text.startsWith("lost")) this.throwInLost = true;
    this.transport.write(data);
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    if (this.throwInLost) throw new Boom("connectionLost exploded");
  }
}

describe("exceptions in protocol callbacks", () => {
  it("dataReceived: logged with the connection's log prefix; only that connection is aborted", async () => {
    const logs = captureLogs();
    try {
      const reactor = createReactor();
      const servers = new RememberingFactory(() => new Fragile());
      const port = await listen(reactor, servers);
      const victim = await connectTo(reactor, port, new Recorder());
      const bystander = await connectTo(reactor, port, new Recorder());
      victim.transport.write("boom");
      const victimReason = await victim.lost;
      expect(victimReason.check(ConnectionLost)).toBe(ConnectionLost);
      const serverSide = servers.built[0]!;
      const serverReason = await serverSide.lost;
      expect(serverReason.check(ConnectionAborted)).toBe(ConnectionAborted);
      expect((serverReason.value as Error).cause).toBeInstanceOf(Boom);

      const logged = logs.events.find(
        (e) => e.log_failure !== undefined && (e.log_failure as Failure).check(Boom),
      );
      expect(logged).toBeDefined();
      expect(logged!.log_system).toBe("Fragile,0,127.0.0.1");
      expect(logged!.callback).toBe("dataReceived");

      bystander.transport.write("still fine");
      await bystander.receivedAtLeast(10);
      expect(bystander.received.toString()).toBe("still fine");
      bystander.transport.loseConnection();
      await bystander.lost;
    } finally {
      logs.stop();
    }
  });

  it("connectionMade: logged and the connection aborted", async () => {
    const logs = captureLogs();
    try {
      const reactor = createReactor();
      class Rude extends Recorder {
        override connectionMade(): void {
          throw new Boom("connectionMade exploded");
        }
      }
      const servers = new RememberingFactory(() => new Rude());
      const port = await listen(reactor, servers);
      // The reset may reach the client before or after its own connect completes.
      const clientFactory = new OneShotFactory(new Recorder());
      reactor.connectTCP("127.0.0.1", port, clientFactory);
      const ended = await Promise.race([
        clientFactory.failed.promise,
        clientFactory.lostConnection.promise,
      ]);
      expect(ended.check(ConnectionLost, ConnectError)).toBeTruthy();
      expect((await servers.built[0]!.lost).check(ConnectionAborted)).toBe(ConnectionAborted);
      expect(
        logs.events.some(
          (e) => e.callback === "connectionMade" && e.log_system === "Rude,0,127.0.0.1",
        ),
      ).toBe(true);
    } finally {
      logs.stop();
    }
  });

  it("connectionLost: logged, nothing else breaks", async () => {
    const logs = captureLogs();
    try {
      const reactor = createReactor();
      const servers = new RememberingFactory(() => new Fragile());
      const port = await listen(reactor, servers);
      const client = await connectTo(reactor, port, new Recorder());
      client.transport.write("lost");
      await client.receivedAtLeast(4);
      client.transport.loseConnection();
      await client.lost;
      expect((await servers.built[0]!.lost).check(ConnectionDone)).toBe(ConnectionDone);
      expect(logs.events.some((e) => e.callback === "connectionLost")).toBe(true);
      const again = await connectTo(reactor, port, new Recorder());
      again.transport.loseConnection();
      await again.lost;
    } finally {
      logs.stop();
    }
  });

  it("a producer's exception aborts the connection it writes to", async () => {
    const logs = captureLogs();
    try {
      const reactor = createReactor();
      const servers = new RememberingFactory(() => new Recorder());
      const port = await listen(reactor, servers);
      const client = await connectTo(reactor, port, new Recorder());
      const server = await servers.protocolAt(0);
      await server.made;
      (server.transport as TCPTransport).registerProducer(
        {
          resumeProducing() {
            throw new Boom("producer exploded");
          },
          stopProducing() {},
        },
        false,
      );
      expect((await server.lost).check(ConnectionAborted)).toBe(ConnectionAborted);
      await client.lost;
      expect(logs.events.some((e) => e.callback === "resumeProducing")).toBe(true);
    } finally {
      logs.stop();
    }
  });
});

describe("reactor shutdown", () => {
  it("stop() stops listening, closes connections with ConnectionDone and stops factories", async () => {
    const reactor = createReactor();
    const running = reactor.run({ installSignalHandlers: false });
    let stopped = 0;
    class Counting extends Factory {
      override stopFactory(): void {
        stopped++;
      }
    }
    const factory = Counting.forProtocol(Recorder) as Counting;
    const servers = new RememberingFactory(() => new Recorder());
    const port = await reactor.listenTCP(0, servers, { interface: "127.0.0.1" });
    await reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
    const clientFactory = new OneShotFactory(new Recorder());
    reactor.connectTCP("127.0.0.1", portOf(port), clientFactory);
    const client = clientFactory.proto;
    await client.made;
    const server = await servers.protocolAt(0);
    reactor.stop();
    await running;
    // Both ends of the connection heard about it before run() resolved.
    expect((await server.lost).check(ConnectionDone)).toBe(ConnectionDone);
    expect((await client.lost).check(ConnectionDone)).toBe(ConnectionDone);
    expect((await clientFactory.lostConnection.promise).check(ConnectionDone)).toBe(ConnectionDone);
    expect(stopped).toBe(1);
    expect(servers.numPorts).toBe(0);
    // Nothing listens any more.
    const refused = await new Promise<string>((resolve) => {
      const s = net.connect(portOf(port), "127.0.0.1");
      s.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "?"));
      s.on("connect", () => {
        s.destroy();
        resolve("connected");
      });
    });
    expect(refused).toBe("ECONNREFUSED");
  });
});

const hasIPv6 = await new Promise<boolean>((resolve) => {
  const s = net.createServer();
  s.once("error", () => resolve(false));
  s.listen(0, "::1", () => s.close(() => resolve(true)));
});

describe("IPv6", () => {
  it.skipIf(!hasIPv6)(
    "echoes over ::1 and reports IPv6Address (skipped when there is no IPv6 loopback)",
    async () => {
      const reactor = createReactor();
      const port = await listen(reactor, Factory.forProtocol(Echo), "::1");
      const client = await connectTo(reactor, port, new Recorder(), "::1");
      expect(client.transport.getPeer()).toEqual(new IPv6Address("TCP", "::1", port));
      client.transport.write("six");
      await client.receivedAtLeast(3);
      expect(client.received.toString()).toBe("six");
      client.transport.loseConnection();
      await client.lost;
    },
  );
});
