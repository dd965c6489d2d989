import { describe, expect, it } from "vitest";
import { Deferred } from "../deferred/deferred.ts";
import {
  CancelledError,
  ConnectionAborted,
  ConnectionDone,
  ConnectionRefusedError,
  TimeoutError,
} from "../errors.ts";
import { Failure } from "../failure.ts";
import type {
  IListeningPort,
  IProtocolFactory,
  IStreamClientEndpoint,
  ITransport,
} from "../interfaces.ts";
import type { ClientFactory } from "../protocol/factory.ts";
import { Factory } from "../protocol/factory.ts";
import { Protocol } from "../protocol/protocol.ts";
import { createReactor } from "../reactor/default.ts";
import { Clock } from "../testing/clock.ts";
import { MemoryReactorClock } from "../testing/memory-reactor.ts";
import { StringTransportWithDisconnection } from "../testing/string-transport.ts";
import { IPv4Address } from "../transport/address.ts";
import { requestProtocol } from "./connect.ts";
import { TCP4ClientEndpoint, TCP4ServerEndpoint } from "./tcp.ts";

/** The result a Deferred already has (`{ ok }` or `{ failure }`, consuming it), or `undefined`. */
function resultOf<T>(d: Deferred<T>): { ok?: T; failure?: Failure } | undefined {
  let out: { ok?: T; failure?: Failure } | undefined;
  d.addCallbacks(
    (v) => {
      out = { ok: v };
    },
    (f) => {
      out = { failure: f };
    },
  );
  return out;
}

/** Sends `ask` once connected; fires with the first reply, or fails when the connection ends first. */
class Ask extends Protocol {
  readonly deferred: Deferred<string> = new Deferred<string>();
  lost: Failure | undefined;
  constructor(readonly ask = "ping") {
    super();
  }
  override connectionMade(): void {
    this.transport.write(this.ask);
  }
  override dataReceived(data: Buffer): void {
    if (this.deferred.called) return;
    this.deferred.callback(data.toString());
    this.transport.loseConnection();
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason;
    if (!this.deferred.called) this.deferred.errback(reason);
  }
}

/** Complete the connection the memory reactor recorded, as a real reactor would. */
function complete(reactor: MemoryReactorClock): StringTransportWithDisconnection {
  const factory = reactor.tcpClients[0]!.factory;
  const proto = factory.buildProtocol(new IPv4Address("TCP", "10.0.0.1", 1234))!;
  const transport = new StringTransportWithDisconnection({ protocol: proto });
  proto.makeConnection(transport);
  return transport;
}

function setUp(options?: { timeout?: number }): {
  reactor: MemoryReactorClock;
  proto: Ask;
  d: Deferred<string>;
} {
  const reactor = new MemoryReactorClock();
  const proto = new Ask();
  const d = requestProtocol(new TCP4ClientEndpoint(reactor, "10.0.0.2", 7), proto, {
    clock: reactor,
    ...options,
  });
  return { reactor, proto, d };
}

describe("requestProtocol", () => {
  it("connects the protocol and fires with its deferred's result", () => {
    const { reactor, proto, d } = setUp();
    expect(d.called).toBe(false);
    const transport = complete(reactor);
    expect(transport.value().toString()).toBe("ping");
    proto.dataReceived(Buffer.from("pong"));
    expect(resultOf(d)).toEqual({ ok: "pong" });
    expect(reactor.clock.getDelayedCalls()).toEqual([]);
  });

  it("fails with the protocol's failure", () => {
    const { reactor, d } = setUp();
    const transport = complete(reactor);
    transport.loseConnection();
    expect(resultOf(d)?.failure?.check(ConnectionDone)).toBe(ConnectionDone);
  });

  it("fails with the endpoint's connection error", () => {
    const { reactor, d } = setUp();
    (reactor.tcpClients[0]!.factory as ClientFactory).clientConnectionFailed(
      reactor.connectors[0]!,
      new Failure(new ConnectionRefusedError("refused")),
    );
    expect(resultOf(d)?.failure?.check(ConnectionRefusedError)).toBe(ConnectionRefusedError);
  });

  it("times out while connecting: stops the attempt and fails with TimeoutError", () => {
    const { reactor, d } = setUp({ timeout: 5 });
    reactor.clock.advance(4.9);
    expect(d.called).toBe(false);
    reactor.clock.advance(0.1);
    expect(reactor.connectors[0]!.stoppedConnecting).toBe(true);
    expect(resultOf(d)?.failure?.check(TimeoutError)).toBe(TimeoutError);
  });

  it("times out once connected: aborts the connection and drops the protocol's report", () => {
    const { reactor, proto, d } = setUp({ timeout: 5 });
    const transport = complete(reactor);
    reactor.clock.advance(5);
    expect(transport.aborted).toBe(true);
    expect(proto.lost?.check(ConnectionAborted)).toBe(ConnectionAborted);
    expect(resultOf(d)?.failure?.check(TimeoutError)).toBe(TimeoutError);
  });

  it("waits 30 seconds by default, on the clock it is given", () => {
    const clock = new Clock();
    const d = requestProtocol(
      { connect: () => new Deferred<never>() } as IStreamClientEndpoint,
      new Ask(),
      { clock },
    );
    clock.advance(29.9);
    expect(d.called).toBe(false);
    clock.advance(0.1);
    expect(resultOf(d)?.failure?.check(TimeoutError)).toBe(TimeoutError);
  });

  it("cancelling while connecting cancels the attempt and fails with CancelledError", () => {
    const clock = new Clock();
    let attemptCancelled = false;
    const attempt = new Deferred<never>(() => {
      attemptCancelled = true;
    });
    const d = requestProtocol({ connect: () => attempt } as IStreamClientEndpoint, new Ask(), {
      clock,
    });
    d.cancel();
    expect(attemptCancelled).toBe(true);
    expect(resultOf(d)?.failure?.check(CancelledError)).toBe(CancelledError);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("cancelling after connecting aborts, or loses, the connection", () => {
    const { reactor, proto, d } = setUp();
    const transport = complete(reactor);
    d.cancel();
    expect(transport.aborted).toBe(true);
    expect(proto.lost).toBeDefined();
    expect(resultOf(d)?.failure?.check(CancelledError)).toBe(CancelledError);

    // A transport without abortConnection is closed with loseConnection.
    const lost: string[] = [];
    const plain: ITransport = {
      write() {},
      writeSequence() {},
      loseConnection: () => lost.push("loseConnection"),
      getPeer: () => new IPv4Address("TCP", "10.0.0.1", 7),
      getHost: () => new IPv4Address("TCP", "10.0.0.2", 7),
    } as unknown as ITransport;
    const endpoint: IStreamClientEndpoint = {
      connect(factory: IProtocolFactory) {
        const p = factory.buildProtocol(new IPv4Address("TCP", "10.0.0.1", 7))!;
        p.makeConnection(plain);
        const done = new Deferred<never>();
        done.callback(p as never);
        return done;
      },
    };
    const d2 = requestProtocol(endpoint, new Ask(), { clock: new Clock() });
    d2.cancel();
    expect(lost).toEqual(["loseConnection"]);
    expect(resultOf(d2)?.failure?.check(CancelledError)).toBe(CancelledError);
  });

  it("never throws: an endpoint that throws fails the Deferred", () => {
    const err = new Error("bad endpoint");
    const d = requestProtocol(
      {
        connect: () => {
          throw err;
        },
      } as unknown as IStreamClientEndpoint,
      new Ask(),
      { clock: new Clock() },
    );
    expect(resultOf(d)?.failure?.value).toBe(err);
  });

  it("keeps the first result when the protocol fires before its attempt fails", () => {
    const clock = new Clock();
    const attempt = new Deferred<never>();
    const proto = new Ask();
    const d = requestProtocol({ connect: () => attempt } as IStreamClientEndpoint, proto, {
      clock,
    });
    proto.deferred.callback("early");
    attempt.errback(new ConnectionRefusedError("late"));
    expect(resultOf(d)).toEqual({ ok: "early" });
    // The late failure was dropped, not turned into an AlreadyCalledError in the attempt's chain.
    expect(resultOf(attempt)).toEqual({ ok: undefined });
  });

  it("makes one exchange over real loopback sockets", async () => {
    const reactor = createReactor();
    class Reply extends Protocol {
      override dataReceived(data: Buffer): void {
        this.transport.write(`you said ${data.toString()}`);
      }
    }
    const port: IListeningPort = await new TCP4ServerEndpoint(reactor, 0, {
      interface: "127.0.0.1",
    }).listen(Factory.forProtocol(Reply));
    try {
      const { port: n } = port.getHost() as IPv4Address;
      const proto = new Ask("hello");
      const reply = await requestProtocol(new TCP4ClientEndpoint(reactor, "127.0.0.1", n), proto, {
        clock: reactor,
        timeout: 60,
      });
      expect(reply).toBe("you said hello");
    } finally {
      await port.stopListening();
    }
  });
});
