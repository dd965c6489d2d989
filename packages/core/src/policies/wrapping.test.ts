import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { ConnectionDone, ConnectionRefusedError } from "../errors.ts";
import { Failure } from "../failure.ts";
import type {
  IAddress,
  IConnector,
  IHalfCloseableProtocol,
  IProtocol,
  ITCPTransport,
  ITransport,
} from "../interfaces.ts";
import { ClientFactory, Factory } from "../protocol/factory.ts";
import { Protocol } from "../protocol/protocol.ts";
import { createReactor } from "../reactor/default.ts";
import { connectedServerAndClient } from "../testing/loopback.ts";
import { MemoryConnector } from "../testing/memory-reactor.ts";
import { StringTransport } from "../testing/string-transport.ts";
import { IPv4Address } from "../transport/address.ts";
import { type ProtocolWrapper, WrappingFactory } from "./wrapping.ts";

const addr = new IPv4Address("TCP", "192.168.1.1", 54321);

class Echo extends Protocol {
  lost: Failure[] = [];
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
  override connectionLost(reason: Failure): void {
    this.lost.push(reason);
  }
}

function wrapOne(factory = new WrappingFactory(Factory.forProtocol(Echo))) {
  const wrapper = factory.buildProtocol(addr)!;
  const transport = new StringTransport();
  wrapper.makeConnection(transport);
  return { factory, wrapper, transport, inner: wrapper.wrappedProtocol as Echo };
}

describe("WrappingFactory and ProtocolWrapper", () => {
  it("gives the wrapped protocol the wrapper as its transport and forwards both ways", () => {
    const { wrapper, transport, inner } = wrapOne();
    expect(inner).toBeInstanceOf(Echo);
    expect(inner.transport).toBe(wrapper);
    expect(wrapper.transport).toBe(transport);
    wrapper.dataReceived(Buffer.from("hello"));
    expect(transport.value().toString()).toBe("hello");
    inner.transport.writeSequence(["a", "b"]);
    expect(transport.value().toString()).toBe("helloab");
    expect(inner.transport.getPeer()).toBe(transport.getPeer());
    expect(inner.transport.getHost()).toBe(transport.getHost());
  });

  it("keeps the live wrappers in protocols, from makeConnection to connectionLost", () => {
    const factory = new WrappingFactory(Factory.forProtocol(Echo));
    const wrapper = factory.buildProtocol(addr)!;
    expect(factory.protocols.size).toBe(0);
    wrapper.makeConnection(new StringTransport());
    expect([...factory.protocols]).toEqual([wrapper]);
    const reason = new Failure(new ConnectionDone());
    wrapper.connectionLost(reason);
    expect(factory.protocols.size).toBe(0);
    expect((wrapper.wrappedProtocol as Echo).lost).toEqual([reason]);
    expect(wrapper.connected).toBe(false);
  });

  it("forwards loseConnection and reports disconnecting", () => {
    const { wrapper, transport, inner } = wrapOne();
    expect(wrapper.disconnecting).toBe(false);
    inner.transport.loseConnection();
    expect(transport.disconnecting).toBe(true);
    expect(wrapper.disconnecting).toBe(true);
    const other = wrapOne();
    other.transport.loseConnection();
    expect(other.wrapper.disconnecting).toBe(true);
  });

  it("forwards the TCP transport methods", () => {
    const { wrapper, transport } = wrapOne();
    const producer = { pauseProducing() {}, resumeProducing() {}, stopProducing() {} };
    wrapper.setTcpNoDelay(true);
    wrapper.setTcpKeepAlive(true);
    wrapper.registerProducer(producer, true);
    expect(transport.producer).toBe(producer);
    wrapper.unregisterProducer();
    expect(transport.producer).toBeNull();
    wrapper.pauseProducing();
    expect(transport.producerState).toBe("paused");
    wrapper.resumeProducing();
    expect(transport.producerState).toBe("producing");
    wrapper.loseWriteConnection();
    wrapper.abortConnection();
    expect(transport.tcpNoDelay).toBe(true);
    expect(transport.tcpKeepAlive).toBe(true);
    expect(transport.writeConnectionLost).toBe(true);
    expect(transport.aborted).toBe(true);
    wrapper.stopProducing();
    expect(transport.producerState).toBe("stopped");
  });

  it("throws a TypeError naming the method the real transport lacks", () => {
    class Minimal implements ITransport {
      write(): void {}
      writeSequence(): void {}
      loseConnection(): void {}
      getPeer(): IAddress {
        return addr;
      }
      getHost(): IAddress {
        return addr;
      }
    }
    const wrapper = new WrappingFactory(Factory.forProtocol(Echo)).buildProtocol(addr)!;
    wrapper.makeConnection(new Minimal());
    expect(() => wrapper.abortConnection()).toThrow(/Minimal has no abortConnection\(\)/);
    expect(wrapper.disconnecting).toBe(false);
  });

  it("returns null when the wrapped factory refuses the connection", () => {
    class Refusing extends Factory {
      override buildProtocol(): IProtocol | null {
        return null;
      }
    }
    expect(new WrappingFactory(new Refusing()).buildProtocol(addr)).toBeNull();
  });

  it("forwards doStart/doStop to the wrapped factory", () => {
    const inner = Factory.forProtocol(Echo);
    const f = new WrappingFactory(inner);
    f.doStart();
    expect(inner.numPorts).toBe(1);
    expect(f.numPorts).toBe(1);
    f.doStop();
    expect(inner.numPorts).toBe(0);
    expect(f.numPorts).toBe(0);
  });

  it("forwards the client callbacks to a wrapped client factory, and ignores them otherwise", () => {
    const calls: string[] = [];
    class Client extends ClientFactory {
      override startedConnecting(_c: IConnector): void {
        calls.push("started");
      }
      override clientConnectionFailed(_c: IConnector, r: Failure): void {
        calls.push(`failed ${r.type?.name}`);
      }
      override clientConnectionLost(_c: IConnector, r: Failure): void {
        calls.push(`lost ${r.type?.name}`);
      }
    }
    const connector = new MemoryConnector(addr);
    const reason = new Failure(new ConnectionRefusedError());
    const f = new WrappingFactory(new Client());
    f.startedConnecting(connector);
    f.clientConnectionFailed(connector, reason);
    f.clientConnectionLost(connector, reason);
    expect(calls).toEqual([
      "started",
      "failed ConnectionRefusedError",
      "lost ConnectionRefusedError",
    ]);
    const g = new WrappingFactory(new Factory());
    expect(() => g.clientConnectionFailed(connector, reason)).not.toThrow();
  });

  it("log prefixes name the wrapped object and the wrapper", () => {
    const { factory, wrapper } = wrapOne();
    expect(wrapper.logPrefix()).toBe("Echo (ProtocolWrapper)");
    expect(factory.logPrefix()).toBe("Factory (WrappingFactory)");
  });

  it("works end to end over an in-memory connection", () => {
    class Recorder extends Protocol {
      data = "";
      override dataReceived(d: Buffer): void {
        this.data += d.toString();
      }
    }
    const factory = new WrappingFactory(Factory.forProtocol(Echo));
    const { client, server, pump } = connectedServerAndClient<ProtocolWrapper, Recorder>(
      factory,
      new Recorder(),
    );
    client.transport.write("round trip");
    pump.flush();
    expect(client.data).toBe("round trip");
    client.transport.loseConnection();
    pump.flush();
    expect(factory.protocols.size).toBe(0);
    expect((server.wrappedProtocol as Echo).lost.length).toBe(1);
  });

  it("forwards half-close to a half-closeable wrapped protocol, and offers none otherwise", () => {
    const calls: string[] = [];
    class HalfCloser extends Echo implements IHalfCloseableProtocol {
      readConnectionLost(): Promise<void> {
        calls.push("read");
        return Promise.reject(new Error("async readConnectionLost failed"));
      }
      writeConnectionLost(): void {
        calls.push("write");
      }
    }
    const half = wrapOne(new WrappingFactory(Factory.forProtocol(HalfCloser))).wrapper;
    // The wrapped protocol's promise comes back, so the transport can contain its rejection.
    const result = half.readConnectionLost?.();
    expect(result).toBeInstanceOf(Promise);
    void (result as Promise<void>).catch(() => {});
    half.writeConnectionLost?.();
    expect(calls).toEqual(["read", "write"]);
    // Wrappers of wrappers forward it too.
    const outer = new WrappingFactory(new WrappingFactory(Factory.forProtocol(HalfCloser)));
    wrapOne(outer).wrapper.writeConnectionLost?.();
    expect(calls).toEqual(["read", "write", "write"]);
    const plain = wrapOne().wrapper;
    expect(plain.readConnectionLost).toBeUndefined();
    expect(plain.writeConnectionLost).toBeUndefined();
  });

  it("half-close reaches the wrapped protocol over loopback TCP; without it, FIN closes", async () => {
    class Counter extends Protocol implements IHalfCloseableProtocol {
      received = 0;
      override dataReceived(d: Buffer): void {
        this.received += d.length;
      }
      readConnectionLost(): void {
        // Still allowed to write: the peer only stopped sending.
        this.transport.write(`got ${this.received} bytes`);
        (this.transport as unknown as ITCPTransport).loseWriteConnection();
      }
      writeConnectionLost(): void {}
    }
    const reactor = createReactor();
    const exchange = async (factory: WrappingFactory, text: string): Promise<string> => {
      const port = await reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
      try {
        const { port: n } = port.getHost() as unknown as { port: number };
        return await new Promise<string>((resolve, reject) => {
          let got = "";
          const socket = connect(n, "127.0.0.1", () => socket.end(text));
          socket.on("data", (d) => (got += d.toString()));
          socket.on("error", reject);
          socket.on("close", () => resolve(got));
        });
      } finally {
        await port.stopListening();
      }
    };
    expect(await exchange(new WrappingFactory(Factory.forProtocol(Counter)), "12345")).toBe(
      "got 5 bytes",
    );
    expect(await exchange(new WrappingFactory(Factory.forProtocol(Echo)), "echo me")).toBe(
      "echo me",
    );
  });
});
