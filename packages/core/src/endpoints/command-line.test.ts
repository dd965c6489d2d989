import { describe, expect, it } from "vitest";
import { EndpointDescriptionError } from "../errors.ts";
import { Factory } from "../protocol/factory.ts";
import { Protocol } from "../protocol/protocol.ts";
import { MemoryReactor } from "../testing/memory-reactor.ts";
import { clientFromArgument } from "./command-line.ts";

/** Where the endpoint made from `argument` connects to over TCP. */
function destination(argument: string): { host: string; port: number; timeout: number } {
  const reactor = new MemoryReactor();
  clientFromArgument(reactor, argument).connect(Factory.forProtocol(Protocol));
  const { host, port, timeout } = reactor.tcpClients[0]!;
  return { host, port, timeout };
}

describe("clientFromArgument", () => {
  it("reads HOST:PORT and [IPv6]:PORT as TCP endpoints with the default timeout", () => {
    expect(destination("example.com:17")).toEqual({ host: "example.com", port: 17, timeout: 30 });
    expect(destination("127.0.0.1:8013")).toEqual({ host: "127.0.0.1", port: 8013, timeout: 30 });
    expect(destination("[::1]:17")).toEqual({ host: "::1", port: 17, timeout: 30 });
    expect(destination("[2001:db8::1]:65535")).toEqual({
      host: "2001:db8::1",
      port: 65535,
      timeout: 30,
    });
  });

  it("reads client endpoint descriptions with keyword arguments", () => {
    expect(destination("tcp:host=example.com:port=17:timeout=5")).toEqual({
      host: "example.com",
      port: 17,
      timeout: 5,
    });
    const reactor = new MemoryReactor();
    clientFromArgument(reactor, "unix:path=/run/qotd").connect(Factory.forProtocol(Protocol));
    expect(reactor.unixClients.map((c) => c.path)).toEqual(["/run/qotd"]);
  });

  it("rejects anything else with EndpointDescriptionError, naming the argument", () => {
    const reactor = new MemoryReactor();
    expect(() => clientFromArgument(reactor, "nonsense")).toThrow(
      new EndpointDescriptionError('Not HOST:PORT or a client endpoint: "nonsense"'),
    );
    for (const bad of ["tcp:example.com:17", "example.com:", ":17", "[::1]17", "a:b:17", ""])
      expect(() => clientFromArgument(reactor, bad)).toThrow(
        `Not HOST:PORT or a client endpoint: ${JSON.stringify(bad)}`,
      );
    expect(() => clientFromArgument(reactor, "example.com:99999")).toThrow(
      EndpointDescriptionError,
    );
    expect(() => clientFromArgument(reactor, "tcp:host=example.com:port=x")).toThrow(
      EndpointDescriptionError,
    );
    expect(reactor.tcpClients).toEqual([]);
  });
});
