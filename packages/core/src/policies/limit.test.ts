import { describe, expect, it } from "vitest";
import { ConnectionDone } from "../errors.ts";
import { Failure } from "../failure.ts";
import type { IAddress } from "../interfaces.ts";
import { Factory } from "../protocol/factory.ts";
import { Protocol } from "../protocol/protocol.ts";
import { connectedServerAndClient } from "../testing/loopback.ts";
import { StringTransport } from "../testing/string-transport.ts";
import { IPv4Address, IPv6Address, UNIXAddress } from "../transport/address.ts";
import { LimitConnectionsByPeer, LimitTotalConnectionsFactory } from "./limit.ts";
import type { ProtocolWrapper } from "./wrapping.ts";

const done = new Failure(new ConnectionDone());
const addr = new IPv4Address("TCP", "192.168.1.1", 54321);

class Normal extends Protocol {}
class Busy extends Protocol {
  override connectionMade(): void {
    this.transport.write("busy, try later\r\n");
    this.transport.loseConnection();
  }
}

function connect(
  factory: { buildProtocol(a: IAddress): ProtocolWrapper | null },
  a: IAddress = addr,
) {
  const p = factory.buildProtocol(a);
  if (p === null) return null;
  const t = new StringTransport({ peerAddress: a });
  p.makeConnection(t);
  return { p, t };
}

describe("LimitTotalConnectionsFactory", () => {
  it("has no limit by default", () => {
    const f = LimitTotalConnectionsFactory.forProtocol(Normal);
    for (let i = 0; i < 20; i++) expect(connect(f)).not.toBeNull();
    expect(f.connectionCount).toBe(20);
  });

  it("refuses connections past the limit and accepts again once one is lost", () => {
    const f = LimitTotalConnectionsFactory.forProtocol(Normal);
    f.connectionLimit = 2;
    const a = connect(f)!;
    connect(f);
    expect(f.buildProtocol(addr)).toBeNull();
    expect(f.connectionCount).toBe(2);
    a.p.connectionLost(done);
    expect(f.connectionCount).toBe(1);
    const c = connect(f)!;
    expect(c.p.wrappedProtocol).toBeInstanceOf(Normal);
    expect((c.p.wrappedProtocol as Normal).factory).toBe(f);
  });

  it("serves connections past the limit with the overflow protocol, counting them too", () => {
    const f = LimitTotalConnectionsFactory.forProtocol(Normal);
    f.connectionLimit = 1;
    f.overflowProtocol = Busy;
    connect(f);
    const over = connect(f)!;
    expect(over.p.wrappedProtocol).toBeInstanceOf(Busy);
    expect((over.p.wrappedProtocol as Busy).factory).toBe(f);
    expect(over.t.value().toString()).toBe("busy, try later\r\n");
    expect(over.t.disconnecting).toBe(true);
    expect(f.connectionCount).toBe(2);
  });

  it("counts connections over an in-memory connection, down to zero on close", () => {
    const f = LimitTotalConnectionsFactory.forProtocol(Normal);
    f.connectionLimit = 1;
    const { client, pump } = connectedServerAndClient(f, new Protocol());
    expect(f.connectionCount).toBe(1);
    client.transport.loseConnection();
    pump.flush();
    expect(f.connectionCount).toBe(0);
  });
});

describe("LimitConnectionsByPeer", () => {
  it("allows 5 connections per host by default", () => {
    const f = new LimitConnectionsByPeer(Factory.forProtocol(Normal));
    f.doStart();
    for (let i = 0; i < 5; i++) expect(connect(f)).not.toBeNull();
    expect(f.buildProtocol(addr)).toBeNull();
    expect(f.buildProtocol(new IPv4Address("TCP", "192.168.1.1", 1))).toBeNull();
    expect(connect(f, new IPv4Address("TCP", "192.168.1.2", 1))).not.toBeNull();
    expect(f.peerConnections.get("192.168.1.1")).toBe(5);
  });

  it("releases a host's slot when a connection is lost", () => {
    const f = new LimitConnectionsByPeer(Factory.forProtocol(Normal));
    f.maxConnectionsPerPeer = 1;
    const a = connect(f)!;
    expect(f.buildProtocol(addr)).toBeNull();
    a.p.connectionLost(done);
    expect(f.peerConnections.has("192.168.1.1")).toBe(false);
    expect(f.protocols.size).toBe(0);
    expect(connect(f)).not.toBeNull();
  });

  it("counts IPv6 and UNIX peers by host and by path", () => {
    const f = new LimitConnectionsByPeer(Factory.forProtocol(Normal));
    f.maxConnectionsPerPeer = 1;
    expect(connect(f, new IPv6Address("TCP", "::1", 1))).not.toBeNull();
    expect(f.buildProtocol(new IPv6Address("TCP", "::1", 2))).toBeNull();
    expect(connect(f, new UNIXAddress("/tmp/a"))).not.toBeNull();
    expect(f.buildProtocol(new UNIXAddress("/tmp/a"))).toBeNull();
  });

  it("does not count a connection the wrapped factory refused", () => {
    class Refusing extends Factory {
      override buildProtocol(): null {
        return null;
      }
    }
    const f = new LimitConnectionsByPeer(new Refusing());
    expect(f.buildProtocol(addr)).toBeNull();
    expect(f.peerConnections.size).toBe(0);
  });

  it("starts from zero when the factory starts", () => {
    const f = new LimitConnectionsByPeer(Factory.forProtocol(Normal));
    f.maxConnectionsPerPeer = 1;
    connect(f);
    f.doStart();
    expect(connect(f)).not.toBeNull();
  });
});
