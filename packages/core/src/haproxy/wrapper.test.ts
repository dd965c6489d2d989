// Twisted's twisted/protocols/haproxy/test/test_wrapper.py, case by case, then what Torsion
// adds: the protocol is built only after the header, the header timeout, logged reasons.
import { afterEach, describe, expect, it } from "vitest";
import type { IAddress } from "../interfaces.ts";
import type { LogEvent } from "../logger/event.ts";
import { globalLogPublisher } from "../logger/global.ts";
import { Factory } from "../protocol/factory.ts";
import { Protocol } from "../protocol/protocol.ts";
import { Clock } from "../testing/clock.ts";
import { StringTransportWithDisconnection } from "../testing/string-transport.ts";
import { IPv4Address, IPv6Address, UNIXAddress } from "../transport/address.ts";
import { proxyHeaderV1, proxyHeaderV2 } from "./header.ts";
import { V2_SIGNATURE } from "./v2-parser.ts";
import { DEFAULT_HEADER_TIMEOUT, type HAProxyProtocol, HAProxyWrappingFactory } from "./wrapper.ts";

class StaticProtocol extends Protocol {
  source: IAddress | null = null;
  destination: IAddress | null = null;
  data = Buffer.alloc(0);
  override dataReceived(data: Buffer): void {
    this.source = this.transport.getPeer();
    this.destination = this.transport.getHost();
    this.data = Buffer.concat([this.data, data]);
  }
}

const logged: LogEvent[] = [];
const observer = (e: LogEvent): void => {
  logged.push(e);
};
globalLogPublisher.addObserver(observer);
afterEach(() => {
  logged.length = 0;
});

function setUp(
  addr: IAddress = new IPv4Address("TCP", "127.0.0.1", 8080),
  wrapped = Factory.forProtocol(StaticProtocol),
) {
  const clock = new Clock();
  const factory = new HAProxyWrappingFactory(wrapped, { clock });
  const proto = factory.buildProtocol(addr);
  const transport = new StringTransportWithDisconnection({ protocol: proto });
  proto.makeConnection(transport);
  const inner = () => proto.wrappedProtocol as StaticProtocol;
  return { clock, factory, proto, transport, inner };
}

const b = (s: string) => Buffer.from(s, "latin1");

describe("HAProxyWrappingFactory with v1 headers (Twisted's HAProxyWrappingFactoryV1Tests)", () => {
  it("test_invalidHeaderDisconnects", () => {
    const { proto, transport } = setUp(new IPv4Address("TCP", "127.1.1.1", 8080));
    proto.dataReceived(b("NOTPROXY anything can go here\r\n"));
    expect(transport.connected).toBe(false);
    expect(proto.wrappedProtocol).toBeNull();
  });

  it("test_invalidPartialHeaderDisconnects", () => {
    const { proto, transport } = setUp(new IPv4Address("TCP", "127.1.1.1", 8080));
    proto.dataReceived(b("PROXY TCP4 1.1.1.1\r\n"));
    proto.dataReceived(b("2.2.2.2 8080\r\n"));
    expect(transport.connected).toBe(false);
    expect(proto.wrappedProtocol).toBeNull();
  });

  it("test_preDataReceived_getPeerHost", () => {
    const host = new IPv4Address("TCP", "10.9.8.7", 1);
    const peer = new IPv4Address("TCP", "10.1.2.3", 2);
    const factory = new HAProxyWrappingFactory(Factory.forProtocol(StaticProtocol), {
      clock: new Clock(),
    });
    const proto = factory.buildProtocol(peer);
    proto.makeConnection(
      new StringTransportWithDisconnection({ hostAddress: host, peerAddress: peer }),
    );
    expect(proto.getHost()).toBe(host);
    expect(proto.getPeer()).toBe(peer);
  });

  it("test_validIPv4HeaderResolves_getPeerHost", () => {
    const { proto, inner } = setUp();
    proto.dataReceived(b("PROXY TCP4 1.1.1.1 2.2.2.2 8080 8888\r\n"));
    expect(proto.getPeer()).toMatchObject({ host: "1.1.1.1", port: 8080 });
    expect(inner().transport.getPeer()).toMatchObject({ host: "1.1.1.1", port: 8080 });
    expect(proto.getHost()).toMatchObject({ host: "2.2.2.2", port: 8888 });
    expect(inner().transport.getHost()).toMatchObject({ host: "2.2.2.2", port: 8888 });
  });

  it("test_validIPv6HeaderResolves_getPeerHost", () => {
    const { proto, inner } = setUp(new IPv6Address("TCP", "::1", 8080));
    proto.dataReceived(b("PROXY TCP6 ::1 ::2 8080 8888\r\n"));
    expect(proto.getPeer()).toMatchObject({ host: "::1", port: 8080 });
    expect(inner().transport.getPeer()).toMatchObject({ host: "::1", port: 8080 });
    expect(proto.getHost()).toMatchObject({ host: "::2", port: 8888 });
    expect(inner().transport.getHost()).toMatchObject({ host: "::2", port: 8888 });
  });

  it("test_overflowBytesSentToWrappedProtocol", () => {
    const { proto, inner } = setUp(new IPv6Address("TCP", "::1", 8080));
    proto.dataReceived(b("PROXY TCP6 ::1 ::2 8080 8888\r\nHTTP/1.1 / GET"));
    expect(inner().data.toString()).toBe("HTTP/1.1 / GET");
  });

  it("test_overflowBytesSentToWrappedProtocolChunks", () => {
    const { proto, inner } = setUp(new IPv6Address("TCP", "::1", 8080));
    proto.dataReceived(b("PROXY TCP6 ::1 ::2 "));
    proto.dataReceived(b("8080 8888\r\nHTTP/1.1 / GET"));
    expect(inner().data.toString()).toBe("HTTP/1.1 / GET");
  });

  it("test_overflowBytesSentToWrappedProtocolAfter", () => {
    const { proto, inner } = setUp(new IPv6Address("TCP", "::1", 8080));
    proto.dataReceived(b("PROXY TCP6 ::1 ::2 "));
    proto.dataReceived(b("8080 8888\r\nHTTP/1.1 / GET"));
    proto.dataReceived(b("\r\n\r\n"));
    expect(inner().data.toString()).toBe("HTTP/1.1 / GET\r\n\r\n");
  });
});

const IPV4HEADER = Buffer.concat([
  V2_SIGNATURE,
  Buffer.from("2111000c7f0000017f0000011f9022b8", "hex"),
]);
const IPV6HEADER = Buffer.concat([
  V2_SIGNATURE,
  Buffer.from("21210024", "hex"),
  Buffer.from(`${"00".repeat(15)}01${"00".repeat(15)}01`, "hex"),
  Buffer.from("1f9022b8", "hex"),
]);
const SOCK_PATH = Buffer.concat([Buffer.from("/home/tests/mysockets/sock"), Buffer.alloc(82)]);
const UNIXHEADER = Buffer.concat([
  V2_SIGNATURE,
  Buffer.from("213100d8", "hex"),
  SOCK_PATH,
  SOCK_PATH,
]);

describe("HAProxyWrappingFactory with v2 headers (Twisted's HAProxyWrappingFactoryV2Tests)", () => {
  it("test_invalidHeaderDisconnects", () => {
    const { proto, transport } = setUp(new IPv6Address("TCP", "::1", 8080));
    proto.dataReceived(Buffer.concat([Buffer.from([0]), IPV4HEADER.subarray(1)]));
    expect(transport.connected).toBe(false);
  });

  it("test_validIPv4HeaderResolves_getPeerHost", () => {
    const { proto, inner } = setUp();
    proto.dataReceived(IPV4HEADER);
    expect(proto.getPeer()).toMatchObject({ host: "127.0.0.1", port: 8080 });
    expect(inner().transport.getPeer()).toMatchObject({ host: "127.0.0.1", port: 8080 });
    expect(proto.getHost()).toMatchObject({ host: "127.0.0.1", port: 8888 });
    expect(inner().transport.getHost()).toMatchObject({ host: "127.0.0.1", port: 8888 });
  });

  it("test_validIPv6HeaderResolves_getPeerHost (RFC 5952 text, not Twisted's 0:0:0:0:0:0:0:1)", () => {
    const { proto, inner } = setUp();
    proto.dataReceived(IPV6HEADER);
    expect(proto.getPeer()).toMatchObject({ host: "::1", port: 8080 });
    expect(inner().transport.getPeer()).toMatchObject({ host: "::1", port: 8080 });
    expect(proto.getHost()).toMatchObject({ host: "::1", port: 8888 });
    expect(inner().transport.getHost()).toMatchObject({ host: "::1", port: 8888 });
  });

  it("test_validUNIXHeaderResolves_getPeerHost", () => {
    const { proto, inner } = setUp(new UNIXAddress("/home/test/sockets/server.sock"));
    proto.dataReceived(UNIXHEADER);
    expect((proto.getPeer() as UNIXAddress).name).toBe("/home/tests/mysockets/sock");
    expect((inner().transport.getPeer() as UNIXAddress).name).toBe("/home/tests/mysockets/sock");
    expect((proto.getHost() as UNIXAddress).name).toBe("/home/tests/mysockets/sock");
    expect((inner().transport.getHost() as UNIXAddress).name).toBe("/home/tests/mysockets/sock");
  });

  it("test_overflowBytesSentToWrappedProtocol", () => {
    const { proto, inner } = setUp(new IPv6Address("TCP", "::1", 8080));
    proto.dataReceived(Buffer.concat([IPV6HEADER, b("HTTP/1.1 / GET")]));
    expect(inner().data.toString()).toBe("HTTP/1.1 / GET");
  });

  it("test_overflowBytesSentToWrappedProtocolChunks", () => {
    const { proto, inner } = setUp(new IPv6Address("TCP", "::1", 8080));
    proto.dataReceived(IPV6HEADER.subarray(0, 18));
    proto.dataReceived(Buffer.concat([IPV6HEADER.subarray(18), b("HTTP/1.1 / GET")]));
    expect(inner().data.toString()).toBe("HTTP/1.1 / GET");
  });
});

describe("HAProxyWrappingFactory: what Torsion adds", () => {
  it("forwards the wrapped protocol's transport calls, flow control included, to the socket's", () => {
    const settings: unknown[] = [];
    class FlowTransport extends StringTransportWithDisconnection {
      readonly flowControl = {
        pauseReading: true,
        highWaterMark: 2,
        lowWaterMark: 1,
        maxUnsent: 3,
      };
      setFlowControl(options: unknown): void {
        settings.push(options);
      }
    }
    const factory = new HAProxyWrappingFactory(Factory.forProtocol(StaticProtocol), {
      clock: new Clock(),
    });
    const proto = factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 1));
    const transport = new FlowTransport({ protocol: proto });
    proto.makeConnection(transport);
    proto.dataReceived(b("PROXY TCP4 1.1.1.1 2.2.2.2 5 6\r\nhi"));
    const inner = proto.wrappedProtocol as StaticProtocol;
    const t = inner.transport as HAProxyProtocol;
    expect(t.flowControl).toBe(transport.flowControl);
    t.setFlowControl({ pauseReading: false });
    expect(settings).toEqual([{ pauseReading: false }]);
    t.write("out");
    expect(transport.value().toString()).toBe("out");
    expect(t.disconnecting).toBe(false);
    t.abortConnection();
    expect(transport.aborted).toBe(true);
    expect(t.disconnecting).toBe(true);
  });

  it("builds the wrapped protocol only once the header is in, with the header's source", () => {
    const addrs: IAddress[] = [];
    const wrapped = new (class extends Factory {
      override buildProtocol(addr: IAddress) {
        addrs.push(addr);
        return new StaticProtocol();
      }
    })();
    const { proto } = setUp(undefined, wrapped);
    proto.dataReceived(b("PROXY TCP4 1.1.1.1 2.2."));
    expect(addrs).toEqual([]);
    proto.dataReceived(b("2.2 5 6\r\n"));
    expect(addrs).toEqual([new IPv4Address("TCP", "1.1.1.1", 5)]);
  });

  it("keeps the socket's addresses for v1 UNKNOWN and v2 LOCAL", () => {
    for (const header of [proxyHeaderV1(), proxyHeaderV2()]) {
      const { proto, transport, inner } = setUp();
      proto.dataReceived(Buffer.concat([header, b("x")]));
      expect(inner().source).toBe(transport.getPeer());
      expect(inner().destination).toBe(transport.getHost());
      expect(inner().data.toString()).toBe("x");
    }
  });

  it("drops a connection whose header is not complete in time, and logs why", () => {
    const { clock, proto, transport } = setUp();
    proto.dataReceived(b("PROXY TCP4 1.1.1.1"));
    clock.advance(DEFAULT_HEADER_TIMEOUT - 0.5);
    expect(transport.connected).toBe(true);
    clock.advance(0.5);
    expect(transport.connected).toBe(false);
    expect(proto.wrappedProtocol).toBeNull();
    const event = logged.find((e) => e.log_namespace === "torsion.haproxy");
    expect(event?.reason).toMatch(/no complete PROXY header within 10 s/);
    expect(event?.peer).toBe("192.168.1.1:54321");
  });

  it("cancels the header timeout once the header is in", () => {
    const { clock, proto, transport, inner } = setUp();
    proto.dataReceived(proxyHeaderV1());
    clock.advance(DEFAULT_HEADER_TIMEOUT * 2);
    expect(transport.connected).toBe(true);
    expect(inner().connected).toBe(true);
    expect(clock.getDelayedCalls()).toHaveLength(0);
  });

  it("logs the reason for a malformed header and never builds the protocol", () => {
    let built = 0;
    const wrapped = Factory.forProtocol(
      class extends StaticProtocol {
        constructor() {
          super();
          built++;
        }
      },
    );
    const { proto, transport } = setUp(undefined, wrapped);
    proto.dataReceived(b("GET / HTTP/1.1\r\n"));
    expect(transport.connected).toBe(false);
    expect(built).toBe(0);
    expect(logged.map((e) => e.reason)).toContain(
      "Connection did not start with a PROXY protocol header",
    );
  });

  it("closes the connection when the wrapped factory refuses it (buildProtocol returns null)", () => {
    const wrapped = new (class extends Factory {
      override buildProtocol() {
        return null;
      }
    })();
    const { proto, transport } = setUp(undefined, wrapped);
    proto.dataReceived(proxyHeaderV1());
    expect(transport.connected).toBe(false);
  });

  it("passes connectionLost to the wrapped protocol only if it was built", () => {
    const lost: string[] = [];
    const wrapped = Factory.forProtocol(
      class extends StaticProtocol {
        override connectionLost(): void {
          lost.push("lost");
        }
      },
    );
    const a = setUp(undefined, wrapped);
    a.transport.loseConnection();
    expect(lost).toEqual([]);
    const c = setUp(undefined, wrapped);
    c.proto.dataReceived(
      proxyHeaderV2(new IPv4Address("TCP", "1.2.3.4", 1), new IPv4Address("TCP", "5.6.7.8", 2)),
    );
    c.transport.loseConnection();
    expect(lost).toEqual(["lost"]);
    expect(c.factory.protocols.size).toBe(0);
  });

  it("puts the client's address in the log prefix", () => {
    const { proto } = setUp();
    proto.dataReceived(b("PROXY TCP4 127.0.0.2 127.0.0.1 5555 80\r\n"));
    expect((proto as HAProxyProtocol).logPrefix()).toBe("StaticProtocol (PROXY 127.0.0.2:5555)");
  });
});

describe("async callbacks behind the header", () => {
  class Moody extends Protocol {
    override dataReceived(): Promise<void> {
      return Promise.reject(new Error("moody"));
    }
  }
  const header = proxyHeaderV1(
    new IPv4Address("TCP", "203.0.113.7", 40000),
    new IPv4Address("TCP", "127.0.0.1", 8007),
  );

  it("the wrapped protocol's rejection goes back to the transport, with the header's rest", async () => {
    const { proto } = setUp(undefined, Factory.forProtocol(Moody));
    const result = proto.dataReceived(Buffer.concat([header, b("hello")]));
    await expect(result).rejects.toThrow("moody");
  });

  it("and once the protocol exists, each chunk's rejection too", async () => {
    const { proto } = setUp(undefined, Factory.forProtocol(Moody));
    expect(proto.dataReceived(header)).toBeUndefined();
    await expect(proto.dataReceived(b("later"))).rejects.toThrow("moody");
  });
});
