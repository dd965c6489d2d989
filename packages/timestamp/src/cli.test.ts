import { EndpointDescriptionError, Factory, type IReactor, Protocol } from "@torsion/core";
import { MemoryReactor } from "@torsion/core/testing";
import { describe, expect, it } from "vitest";
import { endpointFromArgument } from "./cli.ts";

/** Where the endpoint made from `arg` connects to. */
function destination(arg: string): { host: string; port: number; timeout: number } {
  const reactor = new MemoryReactor();
  endpointFromArgument(reactor as unknown as IReactor, arg).connect(Factory.forProtocol(Protocol));
  const { host, port, timeout } = reactor.tcpClients[0]!;
  return { host, port, timeout };
}

describe("endpointFromArgument", () => {
  it("reads HOST:PORT, [IPv6]:PORT and client endpoint descriptions", () => {
    expect(destination("example.com:17")).toEqual({ host: "example.com", port: 17, timeout: 30 });
    expect(destination("127.0.0.1:8013")).toEqual({ host: "127.0.0.1", port: 8013, timeout: 30 });
    expect(destination("[::1]:17")).toEqual({ host: "::1", port: 17, timeout: 30 });
    expect(destination("tcp:host=example.com:port=17:timeout=5")).toEqual({
      host: "example.com",
      port: 17,
      timeout: 5,
    });
  });

  it("rejects anything else, naming the argument", () => {
    const reactor = new MemoryReactor() as unknown as IReactor;
    expect(() => endpointFromArgument(reactor, "nonsense")).toThrow(
      'Not HOST:PORT or a client endpoint: "nonsense"',
    );
    expect(() => endpointFromArgument(reactor, "tcp:example.com:17")).toThrow(TypeError);
    expect(() => endpointFromArgument(reactor, "example.com:99999")).toThrow(
      EndpointDescriptionError,
    );
  });
});
