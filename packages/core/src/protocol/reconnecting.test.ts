import { describe, expect, it } from "vitest";
import { ConnectionLost, ConnectionRefusedError, NotConnectingError } from "../errors.ts";
import { Failure } from "../failure.ts";
import type { LogEvent } from "../logger/event.ts";
import { formatEvent } from "../logger/format.ts";
import { globalLogPublisher } from "../logger/global.ts";
import { Clock } from "../testing/clock.ts";
import { MemoryConnector } from "../testing/memory-reactor.ts";
import { IPv4Address } from "../transport/address.ts";
import { ReconnectingClientFactory } from "./reconnecting.ts";

const refused = new Failure(new ConnectionRefusedError());
const lost = new Failure(new ConnectionLost());

function setup(options: ConstructorParameters<typeof ReconnectingClientFactory>[0] = {}) {
  const clock = new Clock();
  const factory = new ReconnectingClientFactory({ clock, jitter: 0, ...options });
  const connector = new MemoryConnector(new IPv4Address("TCP", "127.0.0.1", 7));
  return { clock, factory, connector };
}

describe("ReconnectingClientFactory", () => {
  it("has Twisted's defaults", () => {
    const f = new ReconnectingClientFactory();
    expect(f.initialDelay).toBe(1);
    expect(f.delay).toBe(1);
    expect(f.factor).toBe(Math.E);
    expect(f.maxDelay).toBe(3600);
    expect(f.jitter).toBe(0.119626565582);
    expect(f.maxRetries).toBeNull();
    expect(f.continueTrying).toBe(true);
    expect(f.retries).toBe(0);
  });

  it("reconnects after initialDelay * factor seconds when the attempt fails", () => {
    const { clock, factory, connector } = setup();
    factory.clientConnectionFailed(connector, refused);
    expect(factory.delay).toBeCloseTo(Math.E, 12);
    expect(factory.retryScheduled).toBe(true);
    clock.advance(Math.E - 0.001);
    expect(connector.connectCalls).toBe(0);
    clock.advance(0.001);
    expect(connector.connectCalls).toBe(1);
    expect(factory.retryScheduled).toBe(false);
  });

  it("reconnects when an established connection is lost", () => {
    const { clock, factory, connector } = setup();
    factory.clientConnectionLost(connector, lost);
    clock.advance(Math.E);
    expect(connector.connectCalls).toBe(1);
    expect(factory.connector).toBe(connector);
  });

  it("multiplies the delay by the factor on each consecutive failure, up to maxDelay", () => {
    const { clock, factory, connector } = setup({ maxDelay: 10 });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      factory.clientConnectionFailed(connector, refused);
      delays.push(factory.delay);
      clock.advance(factory.delay);
    }
    expect(delays[0]).toBeCloseTo(Math.E, 12);
    expect(delays[1]).toBeCloseTo(Math.E ** 2, 12);
    expect(delays[2]).toBe(10);
    expect(delays[3]).toBe(10);
    expect(connector.connectCalls).toBe(4);
    expect(factory.retries).toBe(4);
  });

  it("starts again from initialDelay after resetDelay", () => {
    const { clock, factory, connector } = setup({ initialDelay: 2, factor: 3 });
    factory.clientConnectionFailed(connector, refused);
    clock.advance(6);
    factory.clientConnectionFailed(connector, refused);
    expect(factory.delay).toBe(18);
    clock.advance(18);
    factory.resetDelay();
    expect(factory.delay).toBe(2);
    expect(factory.retries).toBe(0);
    factory.clientConnectionLost(connector, lost);
    expect(factory.delay).toBe(6);
  });

  it("gives up after maxRetries consecutive retries", () => {
    const { clock, factory, connector } = setup({ maxRetries: 2 });
    for (let i = 0; i < 3; i++) {
      factory.clientConnectionFailed(connector, refused);
      clock.advance(100);
    }
    expect(connector.connectCalls).toBe(2);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("stopTrying cancels the scheduled attempt, stops the connector and ignores later failures", () => {
    const { clock, factory, connector } = setup();
    factory.clientConnectionFailed(connector, refused);
    factory.stopTrying();
    expect(factory.continueTrying).toBe(false);
    expect(connector.stoppedConnecting).toBe(true);
    expect(clock.getDelayedCalls()).toEqual([]);
    clock.advance(100);
    factory.clientConnectionFailed(connector, refused);
    factory.clientConnectionLost(connector, lost);
    factory.retry(connector);
    clock.advance(100);
    expect(connector.connectCalls).toBe(0);
  });

  it("stopTrying tolerates a connector that is not connecting", () => {
    const { factory, connector } = setup();
    factory.clientConnectionLost(connector, lost);
    connector.stopConnecting = () => {
      throw new NotConnectingError();
    };
    expect(() => factory.stopTrying()).not.toThrow();
  });

  it("resetDelay turns retrying back on after stopTrying", () => {
    const { clock, factory, connector } = setup();
    factory.stopTrying();
    factory.resetDelay();
    factory.clientConnectionFailed(connector, refused);
    clock.advance(Math.E);
    expect(connector.connectCalls).toBe(1);
  });

  it("retry() without a connector or without a clock throws", () => {
    expect(() => new ReconnectingClientFactory({ clock: new Clock() }).retry()).toThrow(
      /no connector/,
    );
    const f = new ReconnectingClientFactory();
    expect(() => f.retry(new MemoryConnector(new IPv4Address("TCP", "h", 1)))).toThrow(
      /clock is not set/,
    );
  });

  it("spreads the delay by a normal variate with standard deviation delay * jitter", () => {
    // Box–Muller with u1 = e^-0.5 and u2 = 0 gives z = 1: one standard deviation above.
    const draws = [1 - Math.exp(-0.5), 0];
    const { factory, connector } = setup({ jitter: 0.1, random: () => draws.shift()! });
    factory.clientConnectionFailed(connector, refused);
    expect(factory.delay).toBeCloseTo(Math.E * 1.1, 12);
  });

  it("with z = 0 the jittered delay is the un-jittered one", () => {
    const { factory, connector } = setup({ jitter: 0.5, random: () => 0 });
    factory.clientConnectionFailed(connector, refused);
    expect(factory.delay).toBeCloseTo(Math.E, 12);
  });

  it("with the default random source, delays vary and stay positive and near the mean", () => {
    const delays = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const f = new ReconnectingClientFactory({ clock: new Clock() });
      f.clientConnectionFailed(new MemoryConnector(new IPv4Address("TCP", "h", 1)), refused);
      expect(f.delay).toBeGreaterThan(0);
      // 10 standard deviations: never reached in practice.
      expect(Math.abs(f.delay - Math.E)).toBeLessThan(Math.E * f.jitter * 10);
      delays.add(f.delay);
    }
    expect(delays.size).toBeGreaterThan(100);
  });

  it("logs its decisions when noisy, and nothing when not", () => {
    const events: LogEvent[] = [];
    const observer = (e: LogEvent) => events.push(e);
    globalLogPublisher.addObserver(observer);
    try {
      const { factory, connector, clock } = setup({ maxRetries: 1 });
      factory.clientConnectionFailed(connector, refused);
      clock.advance(10);
      factory.clientConnectionFailed(connector, refused);
      factory.stopTrying();
      factory.retry(connector);
      const mine = events.filter((e) => e.log_namespace === "torsion.protocol").map(formatEvent);
      expect(mine).toEqual([
        "IPv4Address(TCP, '127.0.0.1', 7) will retry in 2 seconds",
        "Abandoning IPv4Address(TCP, '127.0.0.1', 7) after 2 retries.",
        "Abandoning IPv4Address(TCP, '127.0.0.1', 7) on explicit request",
      ]);
      events.length = 0;
      const quiet = setup();
      quiet.factory.noisy = false;
      quiet.factory.clientConnectionFailed(quiet.connector, refused);
      expect(events.filter((e) => e.log_namespace === "torsion.protocol")).toEqual([]);
    } finally {
      globalLogPublisher.removeObserver(observer);
    }
  });
});
