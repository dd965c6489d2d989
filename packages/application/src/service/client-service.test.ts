import {
  CancelledError,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  Deferred,
  Factory,
  Failure,
  type IProtocol,
  type IProtocolFactory,
  type IStreamClientEndpoint,
  Protocol,
  ProtocolWrapper,
} from "@torsion/core";
import { Clock, StringTransport } from "@torsion/core/testing";
import { describe, expect, it } from "vitest";
import { backoffPolicy, ClientService } from "./client-service.ts";

/** An endpoint whose attempts the test completes by hand. */
class FakeEndpoint implements IStreamClientEndpoint {
  attempts: { factory: IProtocolFactory; d: Deferred<IProtocol> }[] = [];
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    const d = new Deferred<IProtocol>();
    this.attempts.push({ factory, d });
    return d;
  }
  /** What the transport of the latest connection talks to, and that transport. */
  built: IProtocol | undefined;
  transport: StringTransport | undefined;
  /** Complete the latest attempt with a connected protocol; returns the user's protocol. */
  succeed(): IProtocol {
    const { factory, d } = this.attempts.at(-1)!;
    const p = factory.buildProtocol({ type: "TCP" } as never)!;
    this.built = p;
    this.transport = new StringTransport();
    p.makeConnection(this.transport);
    d.callback(p);
    return p instanceof ProtocolWrapper ? p.wrappedProtocol : p;
  }
  /** The latest connection ends, as its transport reports it. */
  lose(reason: Failure): void {
    this.built!.connectionLost(reason);
  }
  refuse(): void {
    this.attempts.at(-1)!.d.errback(new ConnectionRefusedError());
  }
}

const noJitter = backoffPolicy({ jitter: () => 0 });

describe("backoffPolicy", () => {
  it("uses Twisted's defaults: 1, 1.5, 2.25 … capped at 60, plus jitter", () => {
    expect([0, 1, 2, 3].map(noJitter)).toEqual([1, 1.5, 2.25, 3.375]);
    expect(noJitter(20)).toBe(60);
    expect(noJitter(10_000)).toBe(60);
    const jittered = backoffPolicy({ jitter: () => 0.5 });
    expect(jittered(0)).toBe(1.5);
  });
});

describe("ClientService", () => {
  it("wraps the protocol instead of overwriting its connectionLost, and still retries when it throws", () => {
    class Throws extends Protocol {
      override connectionLost(): void {
        throw new Error("boom in connectionLost");
      }
    }
    const clock = new Clock();
    const endpoint = new FakeEndpoint();
    const s = new ClientService(endpoint, Factory.forProtocol(Throws), {
      clock,
      retryPolicy: noJitter,
    });
    s.startService();
    const built = endpoint.attempts[0]!.factory.buildProtocol({ type: "TCP" } as never)!;
    expect(built).toBeInstanceOf(ProtocolWrapper);
    const inner = (built as ProtocolWrapper).wrappedProtocol;
    expect(inner).toBeInstanceOf(Throws);
    expect(Object.hasOwn(inner, "connectionLost")).toBe(false);
    built.makeConnection(new StringTransport());
    endpoint.attempts[0]!.d.callback(built);
    let got: IProtocol | undefined;
    s.whenConnected().addCallback((p) => {
      got = p;
    });
    expect(got).toBe(inner);
    expect(() => built.connectionLost(new Failure(new ConnectionLost()))).toThrow(/boom/);
    clock.advance(1);
    expect(endpoint.attempts).toHaveLength(2);
  });

  function make() {
    const clock = new Clock();
    const endpoint = new FakeEndpoint();
    const s = new ClientService(endpoint, Factory.forProtocol(Protocol), {
      clock,
      retryPolicy: noJitter,
    });
    return { clock, endpoint, s };
  }

  it("connects on start and whenConnected fires with the protocol", () => {
    const { endpoint, s } = make();
    const got: IProtocol[] = [];
    s.whenConnected().addCallback((p) => got.push(p));
    s.startService();
    expect(endpoint.attempts).toHaveLength(1);
    const p = endpoint.succeed();
    expect(got).toEqual([p]);
    // Later calls get the current connection at once.
    s.whenConnected().addCallback((q) => got.push(q));
    expect(got).toEqual([p, p]);
  });

  it("retries failed attempts with backoff: 1, 1.5, 2.25 s", () => {
    const { clock, endpoint, s } = make();
    s.startService();
    const when: number[] = [];
    for (let i = 0; i < 3; i++) {
      endpoint.refuse();
      const before = endpoint.attempts.length;
      let waited = 0;
      while (endpoint.attempts.length === before) {
        clock.advance(0.25);
        waited += 0.25;
      }
      when.push(waited);
    }
    expect(when).toEqual([1, 1.5, 2.25]);
  });

  it("reconnects after the connection is lost, and the backoff starts over", () => {
    const { clock, endpoint, s } = make();
    s.startService();
    endpoint.refuse();
    clock.advance(1);
    endpoint.succeed();
    endpoint.lose(new Failure(new ConnectionLost()));
    expect(endpoint.attempts).toHaveLength(2);
    clock.advance(1);
    expect(endpoint.attempts).toHaveLength(3);
  });

  it("whenConnected fails after failAfterFailures attempts in a row", () => {
    const { endpoint, s } = make();
    s.startService();
    const errors: unknown[] = [];
    s.whenConnected({ failAfterFailures: 1 }).addErrback((f) => errors.push(f.value));
    endpoint.refuse();
    expect(errors[0]).toBeInstanceOf(ConnectionRefusedError);
  });

  it("stops cleanly: cancels the pending retry and fails waiters with CancelledError", () => {
    const { clock, endpoint, s } = make();
    s.startService();
    endpoint.refuse();
    const errors: unknown[] = [];
    s.whenConnected().addErrback((f) => errors.push(f.value));
    let stopped = false;
    s.stopService().addCallback(() => {
      stopped = true;
    });
    expect(stopped).toBe(true);
    expect(errors[0]).toBeInstanceOf(CancelledError);
    clock.advance(100);
    expect(endpoint.attempts).toHaveLength(1);
    expect(s.running).toBe(false);
  });

  it("stopping while connected closes the connection and fires once it is lost", () => {
    const { endpoint, s } = make();
    s.startService();
    endpoint.succeed();
    const transport = endpoint.transport!;
    let stopped = false;
    s.stopService().addCallback(() => {
      stopped = true;
    });
    expect(transport.disconnecting).toBe(true);
    expect(stopped).toBe(false);
    endpoint.lose(new Failure(new ConnectionDone()));
    expect(stopped).toBe(true);
  });
});
