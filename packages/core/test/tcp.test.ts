/**
 * The TCP transport, ports and connectors over real loopback sockets (127.0.0.1, port 0).
 */
import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { ConnectionAborted, UserError } from "../src/errors.ts";
import {
  CannotListenError,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  createReactor,
  Factory,
  type Failure,
  IPv4Address,
  Protocol,
  TimeoutError,
} from "../src/index.ts";
import { connectTCP } from "../src/reactor/tcp.ts";
import { Clock } from "../src/testing/clock.ts";
import {
  connectTo,
  defer,
  Echo,
  OneShotFactory,
  portOf,
  Recorder,
  RememberingFactory,
  useLoopbackPorts,
} from "./helpers.ts";

const listen = useLoopbackPorts();

describe("TCP over loopback", () => {
  it("echoes a round trip and reports both ends' addresses", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new Echo());
    const port = await listen(reactor, servers);
    const client = await connectTo(reactor, port, new Recorder());
    client.transport.write("hello ");
    client.transport.write(new Uint8Array([119, 111, 114, 108, 100]));
    await client.receivedAtLeast(11);
    expect(client.received.toString()).toBe("hello world");

    const peer = client.transport.getPeer();
    expect(peer).toEqual(new IPv4Address("TCP", "127.0.0.1", port));
    const host = client.transport.getHost() as IPv4Address;
    const server = servers.built[0]!;
    expect(server.transport.getPeer()).toEqual(host);
    expect(server.transport.getHost()).toEqual(peer);
    expect(client.tcp.connected).toBe(true);
    expect(client.tcp.disconnecting).toBe(false);
    client.transport.loseConnection();
    expect(client.tcp.disconnecting).toBe(true);
    expect((await client.lost).check(ConnectionDone)).toBe(ConnectionDone);
    expect(client.tcp.connected).toBe(false);
  });

  it("stops listening at the end of an `await using` scope", async () => {
    const reactor = createReactor();
    let portNumber: number;
    {
      await using port = await reactor.listenTCP(0, Factory.forProtocol(Echo), {
        interface: "127.0.0.1",
      });
      portNumber = portOf(port);
      await connectTo(reactor, portNumber, new Recorder());
    }
    const factory = new OneShotFactory(new Recorder());
    reactor.connectTCP("127.0.0.1", portNumber, factory);
    expect((await factory.failed.promise).check(ConnectionRefusedError)).toBeTruthy();
  });

  it("reports ConnectionDone on both sides for a clean close", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new Recorder());
    const port = await listen(reactor, servers);
    const client = await connectTo(reactor, port, new Recorder());
    const server = await servers.protocolAt(0);
    await server.made;
    server.transport.write("bye");
    server.transport.loseConnection();
    server.transport.write("dropped after loseConnection");
    expect((await server.lost).check(ConnectionDone)).toBe(ConnectionDone);
    expect((await client.lost).check(ConnectionDone)).toBe(ConnectionDone);
    expect(client.received.toString()).toBe("bye");
  });

  it("abortConnection: ConnectionAborted here, a reset (ConnectionLost) at the peer", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new Recorder());
    const port = await listen(reactor, servers);
    const client = await connectTo(reactor, port, new Recorder());
    const server = await servers.protocolAt(0);
    await server.made;
    client.tcp.abortConnection();
    const mine = await client.lost;
    expect(mine.check(ConnectionAborted)).toBe(ConnectionAborted);
    const theirs = await server.lost;
    expect(theirs.check(ConnectionLost)).toBe(ConnectionLost);
    expect(theirs.check(ConnectionAborted)).toBeUndefined();
    expect(((theirs.value as Error).cause as NodeJS.ErrnoException).code).toBe("ECONNRESET");
  });

  it("writeSequence sends every chunk, in order", async () => {
    const reactor = createReactor();
    const port = await listen(reactor, Factory.forProtocol(Echo));
    const client = await connectTo(reactor, port, new Recorder());
    const parts = Array.from({ length: 100 }, (_, i) => (i % 2 ? `${i},` : Buffer.from(`${i},`)));
    client.transport.writeSequence(parts);
    const expected = parts.map(String).join("");
    await client.receivedAtLeast(expected.length);
    expect(client.received.toString()).toBe(expected);
  });

  it("refused connection: clientConnectionFailed with ConnectionRefusedError (Node's error as cause)", async () => {
    const reactor = createReactor();
    const port = await reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: "127.0.0.1" });
    const n = portOf(port);
    await port.stopListening();
    const factory = new OneShotFactory(new Recorder());
    const connector = reactor.connectTCP("127.0.0.1", n, factory);
    expect(connector.getDestination()).toEqual(new IPv4Address("TCP", "127.0.0.1", n));
    const reason = await factory.failed.promise;
    expect(reason.check(ConnectionRefusedError)).toBe(ConnectionRefusedError);
    expect(((reason.value as Error).cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
    expect(factory.started).toBe(1);
    expect(factory.numPorts).toBe(0); // doStop ran after the failure
  });

  it("times out with TimeoutError after `timeout` seconds of the injected clock", async () => {
    const real = createReactor();
    const clock = new Clock();
    const timed = Object.assign(clock, {
      addSystemEventTrigger: real.addSystemEventTrigger.bind(real),
      removeSystemEventTrigger: real.removeSystemEventTrigger.bind(real),
    });
    const servers = new RememberingFactory(() => new Recorder());
    const port = await listen(real, servers);
    const factory = new OneShotFactory(new Recorder());
    const connector = connectTCP(timed, "127.0.0.1", port, factory, { timeout: 5 });
    clock.advance(4.9);
    expect(connector.state).toBe("connecting");
    clock.advance(0.1); // before the event loop could complete the connection
    expect(connector.state).toBe("disconnected");
    expect((await factory.failed.promise).check(TimeoutError)).toBe(TimeoutError);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("a connection made in time cancels its timeout", async () => {
    const real = createReactor();
    const clock = new Clock();
    const timed = Object.assign(clock, {
      addSystemEventTrigger: real.addSystemEventTrigger.bind(real),
      removeSystemEventTrigger: real.removeSystemEventTrigger.bind(real),
    });
    const port = await listen(real, Factory.forProtocol(Echo));
    const client = new Recorder();
    connectTCP(timed, "127.0.0.1", port, new OneShotFactory(client), { timeout: 5 });
    await client.made;
    expect(clock.getDelayedCalls()).toEqual([]);
    client.transport.loseConnection();
    await client.lost;
  });

  it("stopConnecting fails the attempt with UserError; connect() tries again", async () => {
    const reactor = createReactor();
    const port = await listen(reactor, Factory.forProtocol(Echo));
    const proto = new Recorder();
    const failures: Failure[] = [];
    const factory = new OneShotFactory(proto);
    factory.clientConnectionFailed = (_c, reason) => failures.push(reason);
    const connector = reactor.connectTCP("127.0.0.1", port, factory);
    connector.stopConnecting();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.check(UserError)).toBe(UserError);
    expect(() => connector.stopConnecting()).toThrow();
    connector.connect();
    await proto.made;
    expect(connector.state).toBe("connected");
    connector.disconnect();
    expect((await factory.lostConnection.promise).check(ConnectionDone)).toBe(ConnectionDone);
    expect(factory.numPorts).toBe(0);
  });

  it("port in use: CannotListenError with a readable message and Node's error as cause", async () => {
    const reactor = createReactor();
    const n = await listen(reactor, Factory.forProtocol(Echo));
    const err = await reactor
      .listenTCP(n, Factory.forProtocol(Echo), { interface: "127.0.0.1" })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(CannotListenError);
    expect((err as Error).message).toBe(
      `Couldn't listen on 127.0.0.1:${n}: Address already in use`,
    );
    expect(((err as Error).cause as NodeJS.ErrnoException).code).toBe("EADDRINUSE");
  });

  it("buildProtocol returning null closes the connection at once", async () => {
    const reactor = createReactor();
    const factory = new Factory();
    factory.buildProtocol = () => null;
    const port = await listen(reactor, factory);
    const client = await connectTo(reactor, port, new Recorder());
    const reason = await client.lost;
    expect(reason.check(ConnectionDone, ConnectionLost)).toBeTruthy();
    expect(client.received.length).toBe(0);
  });

  it("stopListening keeps open connections; the factory starts and stops with the port", async () => {
    const reactor = createReactor();
    const events: string[] = [];
    class Counting extends Factory {
      override startFactory(): void {
        events.push("start");
      }
      override stopFactory(): void {
        events.push("stop");
      }
    }
    const factory = Counting.forProtocol(Echo);
    const port = await reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
    expect(events).toEqual(["start"]);
    const client = await connectTo(reactor, portOf(port), new Recorder());
    await port.stopListening();
    expect(events).toEqual(["start", "stop"]);
    client.transport.write("still here");
    await client.receivedAtLeast(10);
    expect(client.received.toString()).toBe("still here");
    client.transport.loseConnection();
    await client.lost;
  });

  it("gives each connection the next session number, shown in its log prefix", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new Recorder());
    const port = await listen(reactor, servers);
    await connectTo(reactor, port, new Recorder());
    await connectTo(reactor, port, new Recorder());
    await servers.protocolAt(1);
    const prefixes = servers.built.map((p) =>
      (p.transport as unknown as { logPrefix(): string }).logPrefix(),
    );
    expect(prefixes).toEqual(["Recorder,0,127.0.0.1", "Recorder,1,127.0.0.1"]);
  });

  it("a raw node:net client interoperates (bytes are bytes)", async () => {
    const reactor = createReactor();
    const port = await listen(reactor, Factory.forProtocol(Echo));
    const sock = net.connect(port, "127.0.0.1");
    const got = defer<string>();
    let acc = "";
    sock.on("data", (d) => {
      acc += d;
      if (acc.length >= 4) got.resolve(acc);
    });
    sock.write("ping");
    expect(await got.promise).toBe("ping");
    sock.destroy();
  });

  it("a protocol extending Protocol without overrides works", async () => {
    const reactor = createReactor();
    const port = await listen(reactor, Factory.forProtocol(Protocol));
    const client = await connectTo(reactor, port, new Recorder());
    client.transport.write("ignored");
    client.transport.loseConnection();
    expect((await client.lost).check(ConnectionDone)).toBe(ConnectionDone);
  });
});
