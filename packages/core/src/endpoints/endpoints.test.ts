import { describe, expect, it, vi } from "vitest";
import type { Deferred } from "../deferred/deferred.ts";
import {
  CannotListenError,
  ConnectError,
  ConnectingCancelledError,
  ConnectionRefusedError,
  DNSLookupError,
  NoProtocol,
} from "../errors.ts";
import { Failure } from "../failure.ts";
import type { IProtocol, IProtocolFactory, IStreamClientEndpoint } from "../interfaces.ts";
import { ClientFactory, Factory } from "../protocol/factory.ts";
import { Protocol } from "../protocol/protocol.ts";
import { MemoryReactor } from "../testing/memory-reactor.ts";
import { StringTransport } from "../testing/string-transport.ts";
import { IPv4Address, UNIXAddress } from "../transport/address.ts";
import { connectProtocol } from "./connect.ts";
import { HostnameEndpoint } from "./hostname.ts";
import {
  TCP4ClientEndpoint,
  TCP4ServerEndpoint,
  TCP6ClientEndpoint,
  TCP6ServerEndpoint,
} from "./tcp.ts";
import { SSL4ClientEndpoint, SSL4ServerEndpoint, wrapClientTLS } from "./tls.ts";
import { UNIXClientEndpoint, UNIXServerEndpoint } from "./unix.ts";

/** The result a Deferred already has: `{ ok }` or `{ failure }`; throws if it has none yet. */
function resultOf<T>(d: Deferred<T>): { ok?: T; failure?: Failure } {
  let out: { ok?: T; failure?: Failure } | undefined;
  d.addCallbacks(
    (v) => {
      out = { ok: v };
    },
    (f) => {
      out = { failure: f };
    },
  );
  if (out === undefined) throw new Error("Deferred has no result yet");
  return out;
}

class Recorder extends Protocol {
  made = 0;
  data: Buffer[] = [];
  lost: Failure[] = [];
  override connectionMade(): void {
    this.made++;
  }
  override dataReceived(data: Buffer): void {
    this.data.push(data);
  }
  override connectionLost(reason: Failure): void {
    this.lost.push(reason);
  }
}

/** Complete the connection the reactor recorded, as a real reactor would on success. */
function complete(factory: IProtocolFactory): {
  proto: IProtocol | null;
  transport: StringTransport;
} {
  const transport = new StringTransport();
  const proto = factory.buildProtocol(new IPv4Address("TCP", "10.0.0.1", 1234));
  proto?.makeConnection(transport);
  return { proto, transport };
}

const clientEndpoints: Array<
  [string, (r: MemoryReactor) => IStreamClientEndpoint, (r: MemoryReactor) => IProtocolFactory]
> = [
  [
    "TCP4ClientEndpoint",
    (r) => new TCP4ClientEndpoint(r, "10.0.0.2", 80),
    (r) => r.tcpClients[0]!.factory,
  ],
  [
    "TCP6ClientEndpoint",
    (r) => new TCP6ClientEndpoint(r, "::1", 80),
    (r) => r.tcpClients[0]!.factory,
  ],
  [
    "HostnameEndpoint",
    (r) => new HostnameEndpoint(r, "example.com", 80),
    (r) => r.tcpClients[0]!.factory,
  ],
  [
    "UNIXClientEndpoint",
    (r) => new UNIXClientEndpoint(r, "/tmp/s"),
    (r) => r.unixClients[0]!.factory,
  ],
  [
    "SSL4ClientEndpoint",
    (r) => new SSL4ClientEndpoint(r, "example.com", 443, {}),
    (r) => r.sslClients[0]!.factory,
  ],
];

describe.each(clientEndpoints)("%s.connect", (_name, make, attemptFactory) => {
  it("fires with the factory's protocol once connectionMade ran, and passes events through", () => {
    const reactor = new MemoryReactor();
    const d = make(reactor).connect(Factory.forProtocol(Recorder));
    const { proto } = complete(attemptFactory(reactor));
    const p = resultOf(d).ok as Recorder;
    expect(p).toBeInstanceOf(Recorder);
    expect(p.made).toBe(1);
    proto?.dataReceived(Buffer.from("hi"));
    proto?.connectionLost(new Failure(new Error("bye")));
    expect(p.data).toEqual([Buffer.from("hi")]);
    expect(p.lost.map((f) => (f.value as Error).message)).toEqual(["bye"]);
  });

  it("fails with the connector's reason", () => {
    const reactor = new MemoryReactor();
    const d = make(reactor).connect(Factory.forProtocol(Recorder));
    const f = attemptFactory(reactor) as ClientFactory;
    f.clientConnectionFailed(reactor.connectors[0]!, new Failure(new ConnectionRefusedError()));
    expect(resultOf(d).failure?.check(ConnectionRefusedError)).toBe(ConnectionRefusedError);
  });

  it("cancelling stops the connector and fails with ConnectingCancelledError", () => {
    const reactor = new MemoryReactor();
    const d = make(reactor).connect(Factory.forProtocol(Recorder));
    d.cancel();
    expect(reactor.connectors[0]!.stoppedConnecting).toBe(true);
    const f = resultOf(d).failure;
    expect(f?.check(ConnectingCancelledError)).toBe(ConnectingCancelledError);
    expect((f?.value as ConnectingCancelledError | undefined)?.address).toEqual(
      reactor.connectors[0]!.getDestination(),
    );
    // The connector's own report of the stop (UserError) arrives after: ignored.
    (attemptFactory(reactor) as ClientFactory).clientConnectionFailed(
      reactor.connectors[0]!,
      new Failure(new ConnectError()),
    );
  });

  it("fails with what buildProtocol threw, or NoProtocol for null, and refuses the connection", () => {
    const reactor = new MemoryReactor();
    const boom = new Error("My protocol is poorly defined.");
    const d = make(reactor).connect({
      buildProtocol: () => {
        throw boom;
      },
      doStart() {},
      doStop() {},
    });
    expect(attemptFactory(reactor).buildProtocol(new UNIXAddress(null))).toBeNull();
    expect(resultOf(d).failure?.value).toBe(boom);

    const reactor2 = new MemoryReactor();
    const d2 = make(reactor2).connect({ buildProtocol: () => null, doStart() {}, doStop() {} });
    expect(attemptFactory(reactor2).buildProtocol(new UNIXAddress(null))).toBeNull();
    expect(resultOf(d2).failure?.check(NoProtocol)).toBe(NoProtocol);
  });

  it("when connectionMade throws, the error reaches the transport and the Deferred fails", () => {
    const reactor = new MemoryReactor();
    class Bad extends Protocol {
      override connectionMade(): void {
        throw new TypeError("oops");
      }
    }
    const d = make(reactor).connect(Factory.forProtocol(Bad));
    expect(() => complete(attemptFactory(reactor))).toThrow("oops");
    expect(resultOf(d).failure?.check(TypeError)).toBe(TypeError);
  });

  it("passes doStart/doStop through to the user's factory", () => {
    const reactor = new MemoryReactor();
    const factory = new ClientFactory();
    factory.protocol = Recorder;
    make(reactor)
      .connect(factory)
      .addErrback(() => undefined);
    attemptFactory(reactor).doStart();
    expect(factory.numPorts).toBe(1);
    attemptFactory(reactor).doStop();
    expect(factory.numPorts).toBe(0);
  });

  it("never throws: a reactor that throws gives a failed Deferred", () => {
    const reactor = new MemoryReactor();
    const err = new Error("reactor broke");
    for (const m of ["connectTCP", "connectUNIX", "connectSSL"] as const) {
      vi.spyOn(reactor, m).mockImplementation(() => {
        throw err;
      });
    }
    expect(resultOf(make(reactor).connect(Factory.forProtocol(Recorder))).failure?.value).toBe(err);
  });
});

describe("client endpoints pass their arguments to the reactor", () => {
  it("TCP4ClientEndpoint: host, port, timeout, bindAddress (default 30, none)", () => {
    const reactor = new MemoryReactor();
    new TCP4ClientEndpoint(reactor, "example.com", 80, {
      timeout: 7,
      bindAddress: ["10.0.0.1", 0],
    }).connect(new Factory());
    new TCP4ClientEndpoint(reactor, "example.com", 81).connect(new Factory());
    expect(reactor.tcpClients.map(({ factory: _, ...c }) => c)).toEqual([
      { host: "example.com", port: 80, timeout: 7, bindAddress: ["10.0.0.1", 0] },
      { host: "example.com", port: 81, timeout: 30, bindAddress: undefined },
    ]);
  });

  it("HostnameEndpoint asks the reactor for happy eyeballs", () => {
    const reactor = new MemoryReactor();
    const spy = vi.spyOn(reactor, "connectTCP");
    const ep = new HostnameEndpoint(reactor, "example.com", 80, {
      timeout: 5,
      bindAddress: "10.0.0.1",
    });
    ep.connect(new Factory());
    expect(spy.mock.calls[0]?.[3]).toEqual({
      timeout: 5,
      bindAddress: "10.0.0.1",
      autoSelectFamily: true,
    });
    expect(String(ep)).toBe("<HostnameEndpoint example.com:80>");
    expect(String(new HostnameEndpoint(reactor, "::1", 80))).toBe("<HostnameEndpoint [::1]:80>");
  });

  it("TCP6ClientEndpoint resolves a name to its IPv6 address first", async () => {
    const reactor = new MemoryReactor();
    const resolve = vi.fn(async () => "2001:db8::1");
    const d = new TCP6ClientEndpoint(reactor, "example.com", 80, { resolve }).connect(
      Factory.forProtocol(Recorder),
    );
    await vi.waitFor(() => expect(reactor.tcpClients).toHaveLength(1));
    expect(resolve).toHaveBeenCalledWith("example.com");
    expect(reactor.tcpClients[0]?.host).toBe("2001:db8::1");
    complete(reactor.tcpClients[0]!.factory);
    expect(resultOf(d).ok).toBeInstanceOf(Recorder);
  });

  it("TCP6ClientEndpoint fails with DNSLookupError when the name has no IPv6 address", async () => {
    const reactor = new MemoryReactor();
    const d = new TCP6ClientEndpoint(reactor, "example.com", 80, {
      resolve: async () => Promise.reject(new Error("ENOTFOUND")),
    }).connect(new Factory());
    await expect(d).rejects.toBeInstanceOf(DNSLookupError);
    expect(reactor.tcpClients).toHaveLength(0);
  });

  it("TCP6ClientEndpoint can be cancelled during resolution, and after it", async () => {
    const reactor = new MemoryReactor();
    let release: (a: string) => void = () => {};
    const resolve = () => new Promise<string>((r) => (release = r));
    const d = new TCP6ClientEndpoint(reactor, "example.com", 80, { resolve }).connect(
      new Factory(),
    );
    d.cancel();
    expect(resultOf(d).failure?.check(ConnectingCancelledError)).toBe(ConnectingCancelledError);
    release("::1");
    await new Promise((r) => setTimeout(r, 0));
    expect(reactor.tcpClients).toHaveLength(0);

    const d2 = new TCP6ClientEndpoint(reactor, "example.com", 80, {
      resolve: async () => "::2",
    }).connect(new Factory());
    await vi.waitFor(() => expect(reactor.tcpClients).toHaveLength(1));
    d2.cancel();
    expect(reactor.connectors[0]?.stoppedConnecting).toBe(true);
    expect(resultOf(d2).failure?.check(ConnectingCancelledError)).toBe(ConnectingCancelledError);
  });

  it("UNIXClientEndpoint: path, timeout, checkPID", () => {
    const reactor = new MemoryReactor();
    new UNIXClientEndpoint(reactor, "/tmp/a", { timeout: 9, checkPID: true }).connect(
      new Factory(),
    );
    new UNIXClientEndpoint(reactor, "/tmp/b").connect(new Factory());
    expect(reactor.unixClients.map(({ factory: _, ...c }) => c)).toEqual([
      { path: "/tmp/a", timeout: 9, checkPID: true },
      { path: "/tmp/b", timeout: 30, checkPID: false },
    ]);
  });

  it("SSL4ClientEndpoint: TLS options (made at connect time) and the rest", () => {
    const reactor = new MemoryReactor();
    const make = vi.fn(() => ({ servername: "example.com" }));
    const ep = new SSL4ClientEndpoint(reactor, "example.com", 443, make, { timeout: 3 });
    expect(make).not.toHaveBeenCalled();
    ep.connect(new Factory());
    expect(reactor.sslClients.map(({ factory: _, ...c }) => c)).toEqual([
      {
        host: "example.com",
        port: 443,
        contextFactory: { servername: "example.com" },
        timeout: 3,
        bindAddress: undefined,
      },
    ]);
  });

  it("SSL4ClientEndpoint fails with ConnectError naming the file when TLS options cannot be made", () => {
    const reactor = new MemoryReactor();
    const d = new SSL4ClientEndpoint(reactor, "h", 443, () => {
      throw new Error("can't read the certificate file 'c.pem': no such file");
    }).connect(new Factory());
    const f = resultOf(d).failure;
    expect(f?.check(ConnectError)).toBe(ConnectError);
    expect(f?.getErrorMessage()).toBe(
      "Couldn't connect to h:443: can't read the certificate file 'c.pem': no such file",
    );
    expect(reactor.sslClients).toHaveLength(0);
  });
});

describe("server endpoints", () => {
  it("TCP4/TCP6ServerEndpoint pass port, backlog and interface, with their defaults", () => {
    const reactor = new MemoryReactor();
    const f = new Factory();
    expect(resultOf(new TCP4ServerEndpoint(reactor, 80).listen(f)).ok?.getHost()).toEqual(
      new IPv4Address("TCP", "0.0.0.0", 80),
    );
    new TCP4ServerEndpoint(reactor, 81, { backlog: 5, interface: "127.0.0.1" }).listen(f);
    new TCP6ServerEndpoint(reactor, 82).listen(f);
    new TCP6ServerEndpoint(reactor, 83, { interface: "::1", backlog: 1 }).listen(f);
    expect(reactor.tcpServers).toEqual([
      { port: 80, factory: f, backlog: 511, interface: "" },
      { port: 81, factory: f, backlog: 5, interface: "127.0.0.1" },
      { port: 82, factory: f, backlog: 511, interface: "::" },
      { port: 83, factory: f, backlog: 1, interface: "::1" },
    ]);
  });

  it("UNIXServerEndpoint passes path, backlog, mode (0o666) and wantPID (false)", () => {
    const reactor = new MemoryReactor();
    const f = new Factory();
    new UNIXServerEndpoint(reactor, "/tmp/a").listen(f);
    new UNIXServerEndpoint(reactor, "/tmp/b", { backlog: 3, mode: 0o600, wantPID: true }).listen(f);
    expect(reactor.unixServers).toEqual([
      { path: "/tmp/a", factory: f, backlog: 511, mode: 0o666, wantPID: false },
      { path: "/tmp/b", factory: f, backlog: 3, mode: 0o600, wantPID: true },
    ]);
  });

  it("SSL4ServerEndpoint makes its TLS options at listen time", () => {
    const reactor = new MemoryReactor();
    const f = new Factory();
    new SSL4ServerEndpoint(reactor, 443, () => ({ key: "k", cert: "c" }), {
      interface: "127.0.0.1",
    }).listen(f);
    expect(reactor.sslServers).toEqual([
      {
        port: 443,
        factory: f,
        contextFactory: { key: "k", cert: "c" },
        backlog: 511,
        interface: "127.0.0.1",
      },
    ]);
  });

  it("SSL4ServerEndpoint fails with CannotListenError naming the file it could not read", () => {
    const reactor = new MemoryReactor();
    const d = new SSL4ServerEndpoint(reactor, 443, () => {
      throw new Error("can't read the privateKey file 'key.pem': no such file");
    }).listen(new Factory());
    const f = resultOf(d).failure;
    expect(f?.check(CannotListenError)).toBe(CannotListenError);
    expect(f?.getErrorMessage()).toBe(
      "Couldn't listen on 443: can't read the privateKey file 'key.pem': no such file",
    );
  });

  it("listen never throws", () => {
    const reactor = new MemoryReactor();
    const err = new Error("reactor broke");
    for (const m of ["listenTCP", "listenUNIX", "listenSSL"] as const) {
      vi.spyOn(reactor, m).mockImplementation(() => {
        throw err;
      });
    }
    for (const ep of [
      new TCP4ServerEndpoint(reactor, 1),
      new TCP6ServerEndpoint(reactor, 1),
      new UNIXServerEndpoint(reactor, "/x"),
      new SSL4ServerEndpoint(reactor, 1, {}),
    ]) {
      expect(resultOf(ep.listen(new Factory())).failure?.value).toBe(err);
    }
  });
});

describe("connectProtocol", () => {
  it("connects the given protocol instance and fires with it", () => {
    const reactor = new MemoryReactor();
    const proto = new Recorder();
    const d = connectProtocol(new TCP4ClientEndpoint(reactor, "h", 1), proto);
    complete(reactor.tcpClients[0]!.factory);
    expect(resultOf(d).ok).toBe(proto);
    expect(proto.made).toBe(1);
  });

  it("never throws, even for an endpoint that does", () => {
    const err = new Error("bad endpoint");
    const d = connectProtocol(
      {
        connect: () => {
          throw err;
        },
      } as unknown as IStreamClientEndpoint,
      new Recorder(),
    );
    expect(resultOf(d).failure?.value).toBe(err);
  });
});

describe("wrapClientTLS", () => {
  it("starts TLS on the transport before the protocol sees the connection", () => {
    const reactor = new MemoryReactor();
    const order: string[] = [];
    class P extends Protocol {
      override connectionMade(): void {
        order.push("connectionMade");
      }
    }
    const d = wrapClientTLS(
      { servername: "example.com" },
      new TCP4ClientEndpoint(reactor, "10.0.0.5", 8443),
    ).connect(Factory.forProtocol(P));
    const transport = new StringTransport();
    const startTLS = vi.fn((options: unknown, server?: boolean) =>
      order.push(`startTLS ${JSON.stringify(options)} ${server}`),
    );
    Object.assign(transport, { startTLS });
    reactor.tcpClients[0]!.factory.buildProtocol(
      new IPv4Address("TCP", "10.0.0.5", 8443),
    )?.makeConnection(transport);
    expect(order).toEqual(['startTLS {"servername":"example.com"} false', "connectionMade"]);
    expect(resultOf(d).ok).toBeInstanceOf(P);
  });

  it("fails the connection attempt when the transport cannot start TLS", () => {
    const reactor = new MemoryReactor();
    const d = wrapClientTLS({}, new TCP4ClientEndpoint(reactor, "10.0.0.5", 8443)).connect(
      Factory.forProtocol(Protocol),
    );
    expect(() => complete(reactor.tcpClients[0]!.factory)).toThrow("startTLS");
    expect(resultOf(d).failure?.check(TypeError)).toBe(TypeError);
  });
});
