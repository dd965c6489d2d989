/**
 * The policies and ReconnectingClientFactory over real loopback sockets (127.0.0.1, port 0).
 */
import { describe, expect, it } from "vitest";
import {
  ConnectionDone,
  createReactor,
  Factory,
  type IConnector,
  LimitTotalConnectionsFactory,
  Protocol,
  ReconnectingClientFactory,
  TimeoutFactory,
} from "../src/index.ts";
import { connectTo, defer, Echo, Recorder, useLoopbackPorts } from "./helpers.ts";

const listen = useLoopbackPorts();

describe("policies over loopback", () => {
  it("TimeoutFactory closes an idle connection after echoing while it was busy", async () => {
    const reactor = createReactor();
    const factory = new TimeoutFactory(Factory.forProtocol(Echo), {
      clock: reactor,
      timeoutPeriod: 0.2,
    });
    factory.noisy = false;
    const port = await listen(reactor, factory);
    const client = await connectTo(reactor, port, new Recorder());
    client.transport.write("still here");
    await client.receivedAtLeast(10);
    expect(client.received.toString()).toBe("still here");
    expect((await client.lost).check(ConnectionDone)).toBe(ConnectionDone);
  }, 20_000);

  it("LimitTotalConnectionsFactory serves the overflow protocol past the limit", async () => {
    class Busy extends Protocol {
      override connectionMade(): void {
        this.transport.write("busy\r\n");
        this.transport.loseConnection();
      }
    }
    const reactor = createReactor();
    const factory = LimitTotalConnectionsFactory.forProtocol(Echo);
    factory.noisy = false;
    factory.connectionLimit = 1;
    factory.overflowProtocol = Busy;
    const port = await listen(reactor, factory);
    const first = await connectTo(reactor, port, new Recorder());
    const second = await connectTo(reactor, port, new Recorder());
    await second.lost;
    expect(second.received.toString()).toBe("busy\r\n");
    first.transport.write("served");
    await first.receivedAtLeast(6);
    expect(first.received.toString()).toBe("served");
    first.transport.loseConnection();
    await first.lost;
  }, 20_000);

  it("ReconnectingClientFactory reconnects after each lost connection until stopped", async () => {
    class Hangup extends Protocol {
      override connectionMade(): void {
        this.transport.loseConnection();
      }
    }
    const reactor = createReactor();
    const server = Factory.forProtocol(Hangup);
    server.noisy = false;
    const port = await listen(reactor, server);
    const threeConnections = defer<void>();
    let made = 0;
    class Client extends Protocol {
      override connectionMade(): void {
        made++;
        if (made === 3) {
          clientFactory.stopTrying();
          threeConnections.resolve();
        }
      }
    }
    const clientFactory = new ReconnectingClientFactory({
      clock: reactor,
      initialDelay: 0.01,
      factor: 1,
      jitter: 0,
    });
    clientFactory.noisy = false;
    clientFactory.protocol = Client;
    const lost = defer<void>();
    const base = clientFactory.clientConnectionLost.bind(clientFactory);
    clientFactory.clientConnectionLost = (c: IConnector, r) => {
      base(c, r);
      if (!clientFactory.continueTrying) lost.resolve();
    };
    reactor.connectTCP("127.0.0.1", port, clientFactory);
    await threeConnections.promise;
    await lost.promise;
    expect(made).toBe(3);
    expect(clientFactory.retryScheduled).toBe(false);
  }, 20_000);
});
