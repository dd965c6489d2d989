import { describe, expect, it } from "vitest";
import { ConnectionDone } from "../errors.ts";
import { Failure } from "../failure.ts";
import type { IPushProducer, ITCPTransport } from "../interfaces.ts";
import { Factory } from "../protocol/factory.ts";
import { Protocol } from "../protocol/protocol.ts";
import { Clock } from "../testing/clock.ts";
import { connectedServerAndClient } from "../testing/loopback.ts";
import { StringTransport } from "../testing/string-transport.ts";
import { IPv4Address } from "../transport/address.ts";
import { ThrottlingFactory, type ThrottlingProtocol } from "./throttle.ts";

const addr = new IPv4Address("TCP", "192.168.1.1", 54321);
const done = new Failure(new ConnectionDone());

class Recorder extends Protocol {
  data = "";
  override dataReceived(d: Buffer): void {
    this.data += d.toString();
  }
}

function setup(
  options: { readLimit?: number; writeLimit?: number; maxConnectionCount?: number } = {},
) {
  const clock = new Clock();
  const factory = new ThrottlingFactory(Factory.forProtocol(Recorder), { clock, ...options });
  const connect = () => {
    const p = factory.buildProtocol(addr) as ThrottlingProtocol | null;
    if (p === null) return null;
    const t = new StringTransport();
    p.makeConnection(t);
    return { p, t, inner: p.wrappedProtocol as Recorder };
  };
  return { clock, factory, connect };
}

describe("ThrottlingFactory", () => {
  it("counts bytes read and written (UTF-8 length for strings)", () => {
    const { factory, connect } = setup();
    const { p, t, inner } = connect()!;
    p.dataReceived(Buffer.from("12345"));
    inner.transport.write("é");
    inner.transport.writeSequence(["ab", new Uint8Array(3)]);
    expect(inner.data).toBe("12345");
    expect(factory.readThisSecond).toBe(5);
    expect(factory.writtenThisSecond).toBe(7);
    expect(t.value().length).toBe(7);
  });

  it("pauses reading on every connection for as long as it takes to catch up", () => {
    const { clock, connect } = setup({ readLimit: 10 });
    const a = connect()!;
    const b = connect()!;
    a.p.dataReceived(Buffer.alloc(20));
    b.p.dataReceived(Buffer.alloc(5));
    clock.advance(1); // 25 bytes in a second at 10/s: paused for 1.5 s
    expect(a.t.producerState).toBe("paused");
    expect(b.t.producerState).toBe("paused");
    clock.advance(1.49);
    expect(a.t.producerState).toBe("paused");
    clock.advance(0.01);
    expect(a.t.producerState).toBe("producing");
    expect(b.t.producerState).toBe("producing");
  });

  it("does not throttle reads at or under the limit", () => {
    const { clock, connect, factory } = setup({ readLimit: 10 });
    const a = connect()!;
    a.p.dataReceived(Buffer.alloc(10));
    clock.advance(1);
    expect(a.t.producerState).toBe("producing");
    expect(factory.readThisSecond).toBe(0);
  });

  it("pauses registered producers when writes exceed the limit", () => {
    const { clock, connect } = setup({ writeLimit: 100 });
    const a = connect()!;
    const events: string[] = [];
    const producer: IPushProducer = {
      pauseProducing: () => events.push("pause"),
      resumeProducing: () => events.push("resume"),
      stopProducing: () => events.push("stop"),
    };
    (a.inner.transport as ITCPTransport).registerProducer(producer, true);
    expect(a.t.producer).toBe(producer);
    a.inner.transport.write(Buffer.alloc(300));
    clock.advance(1); // 300 bytes at 100/s: paused for 2 s
    expect(events).toEqual(["pause"]);
    clock.advance(1.99);
    expect(events).toEqual(["pause"]);
    clock.advance(0.01);
    expect(events).toEqual(["pause", "resume"]);
  });

  it("cannot hold back writes without a producer, and forgets an unregistered producer", () => {
    const { clock, connect } = setup({ writeLimit: 1 });
    const a = connect()!;
    let paused = 0;
    (a.inner.transport as ITCPTransport).registerProducer(
      { pauseProducing: () => paused++, resumeProducing() {}, stopProducing() {} },
      true,
    );
    (a.inner.transport as ITCPTransport).unregisterProducer();
    a.inner.transport.write("lots of data");
    expect(() => clock.advance(1)).not.toThrow();
    expect(paused).toBe(0);
    expect(a.t.value().toString()).toBe("lots of data");
  });

  it("refuses connections past maxConnectionCount", () => {
    const { factory, connect } = setup({ maxConnectionCount: 2 });
    const a = connect()!;
    connect();
    expect(connect()).toBeNull();
    expect(factory.connectionCount).toBe(2);
    a.p.connectionLost(done);
    expect(factory.connectionCount).toBe(1);
    expect(connect()).not.toBeNull();
  });

  it("checks once a second only while there are connections", () => {
    const { clock, connect } = setup({ readLimit: 10, writeLimit: 10 });
    expect(clock.getDelayedCalls().length).toBe(0);
    const a = connect()!;
    const b = connect()!;
    expect(clock.getDelayedCalls().length).toBe(2);
    a.p.dataReceived(Buffer.alloc(100));
    clock.advance(1);
    expect(clock.getDelayedCalls().length).toBe(3); // two checks and one unthrottle
    a.p.connectionLost(done);
    b.p.connectionLost(done);
    expect(clock.getDelayedCalls()).toEqual([]);
    connect();
    expect(clock.getDelayedCalls().length).toBe(2);
  });

  it("does not count a connection the wrapped factory refused", () => {
    const clock = new Clock();
    class Refusing extends Factory {
      override buildProtocol(): null {
        return null;
      }
    }
    const f = new ThrottlingFactory(new Refusing(), { clock, readLimit: 1 });
    expect(f.buildProtocol(addr)).toBeNull();
    expect(f.connectionCount).toBe(0);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("throttles reads over an in-memory connection: data waits while paused", () => {
    const clock = new Clock();
    const factory = new ThrottlingFactory(Factory.forProtocol(Recorder), { clock, readLimit: 4 });
    const { client, server, pump } = connectedServerAndClient<ThrottlingProtocol, Protocol>(
      factory,
      new Protocol(),
    );
    const inner = server.wrappedProtocol as Recorder;
    client.transport.write("12345678");
    pump.flush();
    expect(inner.data).toBe("12345678");
    clock.advance(1); // 8 bytes at 4/s: paused for 1 s
    client.transport.write("more");
    pump.flush();
    expect(inner.data).toBe("12345678");
    clock.advance(1);
    pump.flush();
    expect(inner.data).toBe("12345678more");
  });
});
