import { describe, expect, it } from "vitest";
import { ConnectionDone } from "../errors.ts";
import { Failure } from "../failure.ts";
import { Factory } from "../protocol/factory.ts";
import { Protocol } from "../protocol/protocol.ts";
import { Clock } from "../testing/clock.ts";
import { StringTransport } from "../testing/string-transport.ts";
import { IPv4Address } from "../transport/address.ts";
import { TimeoutFactory, TimeoutMixin, TimeoutProtocol } from "./timeout.ts";

const addr = new IPv4Address("TCP", "192.168.1.1", 54321);

class Idle extends Protocol {
  readonly timeout: TimeoutMixin;
  constructor(clock: Clock) {
    super();
    this.timeout = new TimeoutMixin({ clock, protocol: this });
  }
  override dataReceived(_data: Buffer): void {
    this.timeout.resetTimeout();
  }
}

function connected(clock = new Clock()) {
  const p = new Idle(clock);
  const t = new StringTransport();
  p.makeConnection(t);
  return { clock, p, t };
}

describe("TimeoutMixin", () => {
  it("drops the connection with loseConnection when the period passes", () => {
    const { clock, p, t } = connected();
    expect(p.timeout.setTimeout(5)).toBeNull();
    expect(p.timeout.pending).toBe(true);
    clock.advance(4.9);
    expect(t.disconnecting).toBe(false);
    clock.advance(0.1);
    expect(t.disconnecting).toBe(true);
    expect(t.aborted).toBe(false);
    expect(p.timeout.pending).toBe(false);
  });

  it("resetTimeout restarts the count-down", () => {
    const { clock, p, t } = connected();
    p.timeout.setTimeout(5);
    clock.advance(4);
    p.dataReceived(Buffer.from("x"));
    clock.advance(4);
    expect(t.disconnecting).toBe(false);
    clock.advance(1);
    expect(t.disconnecting).toBe(true);
  });

  it("setTimeout returns the previous period and changes it from now", () => {
    const { clock, p, t } = connected();
    p.timeout.setTimeout(5);
    clock.advance(3);
    expect(p.timeout.setTimeout(10)).toBe(5);
    expect(p.timeout.timeOut).toBe(10);
    clock.advance(9);
    expect(t.disconnecting).toBe(false);
    clock.advance(1);
    expect(t.disconnecting).toBe(true);
  });

  it("setTimeout(null) turns it off; resetTimeout then does nothing", () => {
    const { clock, p, t } = connected();
    p.timeout.setTimeout(5);
    expect(p.timeout.setTimeout(null)).toBe(5);
    p.timeout.resetTimeout();
    expect(clock.getDelayedCalls()).toEqual([]);
    clock.advance(100);
    expect(t.disconnecting).toBe(false);
    expect(p.timeout.setTimeout(null)).toBeNull();
  });

  it("cancelTimeout turns it off", () => {
    const { clock, p, t } = connected();
    p.timeout.setTimeout(5);
    p.timeout.cancelTimeout();
    expect(p.timeout.timeOut).toBeNull();
    clock.advance(10);
    expect(t.disconnecting).toBe(false);
  });

  it("does nothing on resetTimeout after it fired, and can be set again", () => {
    const { clock, p, t } = connected();
    p.timeout.setTimeout(1);
    clock.advance(1);
    expect(t.disconnecting).toBe(true);
    expect(() => p.timeout.resetTimeout()).not.toThrow();
    expect(() => p.timeout.setTimeout(null)).not.toThrow();
    p.timeout.setTimeout(2);
    expect(clock.getDelayedCalls().length).toBe(1);
  });

  it("runs onTimeout instead of dropping the connection when given", () => {
    const clock = new Clock();
    let fired = 0;
    const timeout = new TimeoutMixin({ clock, onTimeout: () => fired++ });
    timeout.setTimeout(2);
    clock.advance(2);
    expect(fired).toBe(1);
  });

  it("can be subclassed to override timeoutConnection", () => {
    const clock = new Clock();
    const t = new StringTransport();
    class Aborting extends TimeoutMixin {
      override timeoutConnection(): void {
        t.abortConnection();
      }
    }
    const timeout = new Aborting({ clock, protocol: { transport: t } });
    timeout.setTimeout(1);
    clock.advance(1);
    expect(t.aborted).toBe(true);
  });

  it("needs a protocol or onTimeout", () => {
    expect(() => new TimeoutMixin({ clock: new Clock() })).toThrow(TypeError);
  });
});

class Recorder extends Protocol {
  data = "";
  override dataReceived(d: Buffer): void {
    this.data += d.toString();
  }
}

function timeoutConnection(period?: number) {
  const clock = new Clock();
  const factory = new TimeoutFactory(Factory.forProtocol(Recorder), {
    clock,
    ...(period === undefined ? {} : { timeoutPeriod: period }),
  });
  const wrapper = factory.buildProtocol(addr) as TimeoutProtocol;
  const transport = new StringTransport();
  wrapper.makeConnection(transport);
  return { clock, factory, wrapper, transport, inner: wrapper.wrappedProtocol as Recorder };
}

describe("TimeoutFactory", () => {
  it("closes a connection idle for 30 minutes by default", () => {
    const { clock, transport, factory } = timeoutConnection();
    expect(factory.timeoutPeriod).toBe(1800);
    clock.advance(1799);
    expect(transport.disconnecting).toBe(false);
    clock.advance(1);
    expect(transport.disconnecting).toBe(true);
  });

  it("counts received data and writes as activity", () => {
    const { clock, transport, wrapper, inner } = timeoutConnection(10);
    clock.advance(9);
    wrapper.dataReceived(Buffer.from("in"));
    expect(inner.data).toBe("in");
    clock.advance(9);
    inner.transport.write("out");
    clock.advance(9);
    inner.transport.writeSequence(["a", "b"]);
    clock.advance(9);
    expect(transport.disconnecting).toBe(false);
    expect(transport.value().toString()).toBe("outab");
    clock.advance(1);
    expect(transport.disconnecting).toBe(true);
  });

  it("stops the timer when the connection is lost", () => {
    const { clock, wrapper, factory } = timeoutConnection(10);
    wrapper.connectionLost(new Failure(new ConnectionDone()));
    expect(clock.getDelayedCalls()).toEqual([]);
    expect(factory.protocols.size).toBe(0);
  });

  it("setTimeout changes the period; cancelTimeout turns it off", () => {
    const { clock, wrapper, transport } = timeoutConnection(10);
    wrapper.setTimeout(2);
    clock.advance(2);
    expect(transport.disconnecting).toBe(true);
    const other = timeoutConnection(10);
    other.wrapper.cancelTimeout();
    other.wrapper.resetTimeout();
    other.clock.advance(100);
    expect(other.transport.disconnecting).toBe(false);
  });

  it("timeoutFunc can be overridden", () => {
    const clock = new Clock();
    class AbortOnTimeout extends TimeoutProtocol {
      override timeoutFunc(): void {
        this.abortConnection();
      }
    }
    class AbortingFactory extends TimeoutFactory {
      protected override wrapProtocol(wrapped: Protocol): TimeoutProtocol {
        return new AbortOnTimeout(this, wrapped, this.timeoutPeriod);
      }
    }
    const f = new AbortingFactory(Factory.forProtocol(Recorder), { clock, timeoutPeriod: 1 });
    const w = f.buildProtocol(addr)!;
    const t = new StringTransport();
    w.makeConnection(t);
    clock.advance(1);
    expect(t.aborted).toBe(true);
  });
});
