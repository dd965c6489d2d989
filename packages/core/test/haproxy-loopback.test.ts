/**
 * The `haproxy:` endpoint wrapper over real loopback sockets: TCP and UNIX, v1 and v2 headers,
 * a bad header logged and closed, the rest of the stream echoed.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  ConnectionDone,
  createReactor,
  type IAddress,
  type IListeningPort,
  IPv4Address,
  proxyHeaderV1,
  proxyHeaderV2,
  serverFromString,
} from "../src/index.ts";
import {
  captureLogs,
  connectTo,
  OneShotFactory,
  portOf,
  Recorder,
  RememberingFactory,
} from "./helpers.ts";

class PeerEcho extends Recorder {
  peer: IAddress | undefined;
  host: IAddress | undefined;
  override connectionMade(): void {
    this.peer = this.transport.getPeer();
    this.host = this.transport.getHost();
    super.connectionMade();
  }
  override dataReceived(data: Buffer): void {
    super.dataReceived(data);
    this.transport.write(data);
  }
}

const ports: IListeningPort[] = [];
afterEach(async () => {
  for (const p of ports.splice(0)) await p.stopListening();
});
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torsion-haproxy-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("haproxy: endpoint over loopback", () => {
  it.each([
    ["v1", proxyHeaderV1],
    ["v2", proxyHeaderV2],
  ])(
    "haproxy:tcp gives the protocol the %s header's addresses and echoes the rest",
    async (_v, encode) => {
      const reactor = createReactor();
      const servers = new RememberingFactory(() => new PeerEcho());
      const port = await serverFromString(reactor, "haproxy:tcp:0:interface=127.0.0.1").listen(
        servers,
      );
      ports.push(port);
      const client = await connectTo(reactor, portOf(port), new Recorder());
      const claimed = new IPv4Address("TCP", "203.0.113.7", 40000);
      const target = new IPv4Address("TCP", "198.51.100.1", 7);
      const payload = Buffer.alloc(100_000, 0x61);
      // Header and payload in one write: the rest of the first chunk must reach the protocol.
      client.transport.write(Buffer.concat([encode(claimed, target), payload]));
      await client.receivedAtLeast(payload.length);
      expect(client.received).toEqual(payload);
      const server = await servers.protocolAt(0);
      expect(server.peer).toEqual(claimed);
      expect(server.host).toEqual(target);
      client.transport.loseConnection();
      expect((await server.lost).check(ConnectionDone)).toBe(ConnectionDone);
    },
    20_000,
  );

  it("haproxy:unix reads the header over a UNIX socket", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new PeerEcho());
    const where = path.join(dir, "echo.sock");
    const port = await serverFromString(reactor, `haproxy:unix:${where}:lockfile=0`).listen(
      servers,
    );
    ports.push(port);
    const client = new Recorder();
    const factory = new OneShotFactory(client);
    reactor.connectUNIX(where, factory);
    await client.made;
    client.transport.write(
      proxyHeaderV1(
        new IPv4Address("TCP", "127.0.0.2", 5555),
        new IPv4Address("TCP", "127.0.0.1", 80),
      ),
    );
    client.transport.write("hello");
    await client.receivedAtLeast(5);
    expect((await servers.protocolAt(0)).peer).toEqual(new IPv4Address("TCP", "127.0.0.2", 5555));
    client.transport.loseConnection();
    await (await servers.protocolAt(0)).lost;
  }, 20_000);

  it("closes a connection that does not start with a header, logs why, builds no protocol", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new PeerEcho());
    const port = await serverFromString(reactor, "haproxy:tcp:0:interface=127.0.0.1").listen(
      servers,
    );
    ports.push(port);
    const logs = captureLogs();
    try {
      const client = await connectTo(reactor, portOf(port), new Recorder());
      client.transport.write("GET / HTTP/1.1\r\n\r\n");
      expect((await client.lost).check(ConnectionDone)).toBe(ConnectionDone);
      expect(client.received.length).toBe(0);
      expect(servers.built).toHaveLength(0);
      const event = logs.events.find((e) => e.log_namespace === "torsion.haproxy");
      expect(event?.reason).toBe("Connection did not start with a PROXY protocol header");
      expect(String(event?.peer)).toMatch(/^127\.0\.0\.1:\d+$/);
    } finally {
      logs.stop();
    }
  }, 20_000);

  it("closes a slow header after headerTimeout= seconds", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new PeerEcho());
    const port = await serverFromString(
      reactor,
      "haproxy:tcp:0:interface=127.0.0.1:headerTimeout=0.2",
    ).listen(servers);
    ports.push(port);
    const client = await connectTo(reactor, portOf(port), new Recorder());
    client.transport.write("PROXY TCP4 ");
    expect((await client.lost).check(ConnectionDone)).toBe(ConnectionDone);
    expect(servers.built).toHaveLength(0);
  }, 20_000);

  it("refuses a description without a wrapped endpoint", () => {
    expect(() => serverFromString(createReactor(), "haproxy:")).toThrow(/needs a wrapped endpoint/);
  });
});
