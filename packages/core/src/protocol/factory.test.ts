import { describe, expect, it } from "vitest";
import { ConnectionRefusedError } from "../errors.ts";
import { Failure } from "../failure.ts";
import type { IAddress, IProtocol } from "../interfaces.ts";
import { MemoryConnector } from "../testing/memory-reactor.ts";
import { IPv4Address } from "../transport/address.ts";
import { ClientFactory, Factory, isClientFactory, ServerFactory } from "./factory.ts";
import { Protocol } from "./protocol.ts";

const addr = new IPv4Address("TCP", "127.0.0.1", 1234);

class Greeter extends Protocol {
  readonly greeting: string;
  readonly times: number;
  constructor(greeting: string, times: number) {
    super();
    this.greeting = greeting;
    this.times = times;
  }
}

class Counting extends Factory {
  started = 0;
  stopped = 0;
  override startFactory(): void {
    this.started++;
  }
  override stopFactory(): void {
    this.stopped++;
  }
}

describe("Factory.forProtocol", () => {
  it("builds the protocol with the given constructor arguments and sets its factory", () => {
    const f = Factory.forProtocol(Greeter, "hello", 3);
    const p = f.buildProtocol(addr) as Greeter;
    expect(p).toBeInstanceOf(Greeter);
    expect(p.greeting).toBe("hello");
    expect(p.times).toBe(3);
    expect(p.factory).toBe(f);
  });

  it("builds a new protocol for every connection", () => {
    const f = Factory.forProtocol(Protocol);
    expect(f.buildProtocol(addr)).not.toBe(f.buildProtocol(addr));
  });

  it("returns an instance of the class it is called on", () => {
    expect(ServerFactory.forProtocol(Protocol)).toBeInstanceOf(ServerFactory);
    expect(ClientFactory.forProtocol(Protocol)).toBeInstanceOf(ClientFactory);
    const c = Counting.forProtocol(Protocol);
    expect(c).toBeInstanceOf(Counting);
  });
});

describe("Factory.buildProtocol", () => {
  it("throws a TypeError naming the class when protocol is not set", () => {
    expect(() => new Counting().buildProtocol(addr)).toThrow(/Counting\.protocol is not set/);
  });

  it("may be overridden to refuse a connection with null", () => {
    class Refusing extends Factory {
      override buildProtocol(a: IAddress): IProtocol | null {
        return (a as IPv4Address).host === "10.0.0.66" ? null : super.buildProtocol(a);
      }
    }
    const f = Refusing.forProtocol(Protocol);
    expect(f.buildProtocol(new IPv4Address("TCP", "10.0.0.66", 1))).toBeNull();
    expect(f.buildProtocol(addr)).toBeInstanceOf(Protocol);
  });
});

describe("Factory.doStart/doStop", () => {
  it("starts on the first doStart and stops after the last doStop", () => {
    const f = new Counting();
    f.doStart();
    f.doStart();
    expect(f.started).toBe(1);
    expect(f.numPorts).toBe(2);
    f.doStop();
    expect(f.stopped).toBe(0);
    f.doStop();
    expect(f.stopped).toBe(1);
    expect(f.numPorts).toBe(0);
  });

  it("ignores an unbalanced doStop", () => {
    const f = new Counting();
    f.doStop();
    expect(f.stopped).toBe(0);
    expect(f.numPorts).toBe(0);
  });

  it("starts again after a full stop", () => {
    const f = new Counting();
    f.doStart();
    f.doStop();
    f.doStart();
    expect(f.started).toBe(2);
  });

  it("uses the class name as its log prefix", () => {
    expect(new Counting().logPrefix()).toBe("Counting");
  });
});

describe("ClientFactory", () => {
  it("has no-op connection callbacks", () => {
    const f = new ClientFactory();
    const c = new MemoryConnector(addr);
    expect(() => f.startedConnecting(c)).not.toThrow();
    expect(() =>
      f.clientConnectionFailed(c, new Failure(new ConnectionRefusedError())),
    ).not.toThrow();
    expect(() =>
      f.clientConnectionLost(c, new Failure(new ConnectionRefusedError())),
    ).not.toThrow();
  });

  it("is recognised by isClientFactory; a plain Factory is not", () => {
    expect(isClientFactory(new ClientFactory())).toBe(true);
    expect(isClientFactory(new Factory())).toBe(false);
    expect(isClientFactory(new ServerFactory())).toBe(false);
  });
});
