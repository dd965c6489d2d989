import { describe, expect, it } from "vitest";
import { ConnectionAborted, ConnectionDone, ConnectionLost } from "../errors.ts";
import type { Failure } from "../failure.ts";
import type { IAddress, IPullProducer, IPushProducer, ITCPTransport } from "../interfaces.ts";
import { Factory } from "../protocol/factory.ts";
import { Protocol } from "../protocol/protocol.ts";
import { IPv4Address } from "../transport/address.ts";
import type { FakeTransport } from "./fake-transport.ts";
import { connectedServerAndClient } from "./loopback.ts";

class Recorder extends Protocol {
  received = Buffer.alloc(0);
  reasons: Failure[] = [];
  greeting: string | undefined;
  constructor(greeting?: string) {
    super();
    this.greeting = greeting;
  }
  override connectionMade(): void {
    if (this.greeting !== undefined) this.transport.write(this.greeting);
  }
  override dataReceived(data: Buffer): void {
    this.received = Buffer.concat([this.received, data]);
  }
  override connectionLost(reason: Failure): void {
    this.reasons.push(reason);
  }
  get tcp(): FakeTransport {
    return this.transport as FakeTransport;
  }
}

class Echo extends Recorder {
  override dataReceived(data: Buffer): void {
    super.dataReceived(data);
    this.transport.write(data);
  }
}

describe("connectedServerAndClient", () => {
  it("connects the server first, then the client, and flushes greetings", () => {
    const order: string[] = [];
    class Greeter extends Recorder {
      override connectionMade(): void {
        order.push(this.greeting!);
        super.connectionMade();
      }
    }
    const { client, server } = connectedServerAndClient(
      new Greeter("server hello"),
      new Greeter("client hello"),
    );
    expect(order).toEqual(["server hello", "client hello"]);
    expect(client.received.toString()).toBe("server hello");
    expect(server.received.toString()).toBe("client hello");
  });

  it("with greet: false, nothing moves until pumped", () => {
    const { client, pump } = connectedServerAndClient(new Recorder("hi"), new Recorder(), {
      greet: false,
    });
    expect(client.received.length).toBe(0);
    expect(pump.pump()).toBe(true);
    expect(client.received.toString()).toBe("hi");
    expect(pump.pump()).toBe(false);
    expect(pump.flush()).toBe(false);
  });

  it("builds protocols from factories, with the other side's address", () => {
    const seen: IAddress[] = [];
    class Watching extends Factory {
      override buildProtocol(addr: IAddress) {
        seen.push(addr);
        return super.buildProtocol(addr);
      }
    }
    const { client, server, pump } = connectedServerAndClient<Echo, Recorder>(
      Watching.forProtocol(Echo),
      new Recorder(),
    );
    expect(server).toBeInstanceOf(Echo);
    expect(seen).toEqual([new IPv4Address("TCP", "127.0.0.1", 54321)]);
    client.transport.write("ping");
    pump.flush();
    expect(client.received.toString()).toBe("ping");
    expect(server.transport.getPeer()).toEqual(client.transport.getHost());
    expect(client.transport.getPeer()).toEqual(new IPv4Address("TCP", "127.0.0.1", 8007));
  });

  it("throws when a factory refuses the connection", () => {
    class Refusing extends Factory {
      override buildProtocol(): null {
        return null;
      }
    }
    expect(() => connectedServerAndClient(new Refusing(), new Recorder())).toThrow(
      /server factory refused/,
    );
  });

  it("uses the addresses given", () => {
    const a = new IPv4Address("TCP", "10.1.1.1", 1);
    const b = new IPv4Address("TCP", "10.2.2.2", 2);
    const { client, server } = connectedServerAndClient(new Recorder(), new Recorder(), {
      clientAddress: a,
      serverAddress: b,
    });
    expect(client.transport.getHost()).toBe(a);
    expect(server.transport.getHost()).toBe(b);
    expect(server.transport.getPeer()).toBe(a);
  });
});

describe("IOPump", () => {
  it("delivers buffered data before a loseConnection, then ConnectionDone to both sides", () => {
    const { client, server, pump } = connectedServerAndClient(new Recorder(), new Recorder());
    server.transport.write("last words");
    server.transport.loseConnection();
    server.transport.write("dropped");
    expect(server.tcp.disconnecting).toBe(true);
    expect(client.reasons).toEqual([]);
    pump.flush();
    expect(client.received.toString()).toBe("last words");
    expect(client.reasons.length).toBe(1);
    expect(server.reasons.length).toBe(1);
    expect(client.reasons[0]!.check(ConnectionDone)).toBe(ConnectionDone);
    expect(server.reasons[0]!.check(ConnectionDone)).toBe(ConnectionDone);
    expect(client.tcp.connected).toBe(false);
    expect(server.tcp.connected).toBe(false);
    expect(pump.pump()).toBe(false);
  });

  it("drops data sent to a side that is closing", () => {
    const { client, server, pump } = connectedServerAndClient(new Recorder(), new Recorder());
    client.transport.loseConnection();
    server.transport.write("too late");
    pump.flush();
    expect(client.received.length).toBe(0);
    expect(client.reasons.length).toBe(1);
  });

  it("on abortConnection drops buffered data: ConnectionAborted here, ConnectionLost there", () => {
    const { client, server, pump } = connectedServerAndClient(new Recorder(), new Recorder());
    client.transport.write("never delivered");
    server.transport.write("never delivered either");
    (client.transport as ITCPTransport).abortConnection();
    expect(client.tcp.aborted).toBe(true);
    pump.flush();
    expect(server.received.length).toBe(0);
    expect(client.received.length).toBe(0);
    expect(client.reasons[0]!.check(ConnectionAborted)).toBe(ConnectionAborted);
    expect(server.reasons[0]!.check(ConnectionAborted)).toBeUndefined();
    expect(server.reasons[0]!.check(ConnectionLost)).toBe(ConnectionLost);
  });

  it("holds data back from a side that paused reading until it resumes", () => {
    const { client, server, pump } = connectedServerAndClient(new Recorder(), new Recorder());
    client.tcp.pauseProducing();
    expect(client.tcp.producerState).toBe("paused");
    server.transport.write("wait");
    client.transport.write("go");
    pump.flush();
    expect(server.received.toString()).toBe("go");
    expect(client.received.length).toBe(0);
    expect(server.tcp.pendingBytes).toBe(4);
    client.tcp.resumeProducing();
    pump.flush();
    expect(client.received.toString()).toBe("wait");
  });

  it("stopProducing on a transport closes the connection", () => {
    const { client, server, pump } = connectedServerAndClient(new Recorder(), new Recorder());
    server.tcp.stopProducing();
    pump.flush();
    expect(server.tcp.producerState).toBe("stopped");
    expect(client.reasons.length).toBe(1);
  });

  it("pauses a streaming producer above the high-water mark and resumes it once drained", () => {
    const { server, client, pump } = connectedServerAndClient(new Recorder(), new Recorder(), {
      highWaterMark: 4,
    });
    const events: string[] = [];
    const producer: IPushProducer = {
      pauseProducing: () => events.push("pause"),
      resumeProducing: () => events.push("resume"),
      stopProducing: () => events.push("stop"),
    };
    server.tcp.registerProducer(producer, true);
    server.transport.write("1234");
    expect(events).toEqual([]);
    server.transport.write("5");
    expect(events).toEqual(["pause"]);
    server.transport.write("6");
    expect(events).toEqual(["pause"]);
    pump.flush();
    expect(client.received.toString()).toBe("123456");
    expect(events).toEqual(["pause", "resume"]);
    server.transport.loseConnection();
    pump.flush();
    expect(events).toEqual(["pause", "resume", "stop"]);
    expect(server.tcp.producer).toBeNull();
  });

  it("asks a pull producer for more each time the buffer drained, until it unregisters", () => {
    const { server, client, pump } = connectedServerAndClient(new Recorder(), new Recorder());
    let n = 0;
    const producer: IPullProducer = {
      resumeProducing() {
        server.transport.write(String(n++));
        if (n === 5) server.tcp.unregisterProducer();
      },
      stopProducing() {},
    };
    server.tcp.registerProducer(producer, false);
    expect(n).toBe(1); // asked at once, as a real transport does
    pump.flush();
    expect(client.received.toString()).toBe("01234");
    expect(server.tcp.producer).toBeNull();
  });

  it("stops a producer registered after the connection was lost", () => {
    const { server, pump } = connectedServerAndClient(new Recorder(), new Recorder());
    server.transport.loseConnection();
    pump.flush();
    let stopped = false;
    server.tcp.registerProducer(
      { resumeProducing() {}, stopProducing: () => (stopped = true) },
      false,
    );
    expect(stopped).toBe(true);
  });

  it("refuses a second producer", () => {
    const { server } = connectedServerAndClient(new Recorder(), new Recorder());
    const p = { resumeProducing() {}, pauseProducing() {}, stopProducing() {} };
    server.tcp.registerProducer(p, true);
    expect(() => server.tcp.registerProducer(p, true)).toThrow(/two producers/);
  });

  it("loseWriteConnection tells a half-closeable peer readConnectionLost and this side writeConnectionLost", () => {
    const events: string[] = [];
    class HalfCloseable extends Recorder {
      readConnectionLost(): void {
        events.push("readConnectionLost");
        this.transport.write("reply after EOF");
      }
      writeConnectionLost(): void {
        events.push("writeConnectionLost");
      }
    }
    const { client, server, pump } = connectedServerAndClient(
      new HalfCloseable(),
      new HalfCloseable(),
    );
    client.transport.write("request");
    (client.transport as ITCPTransport).loseWriteConnection();
    client.transport.write("dropped");
    pump.flush();
    expect(server.received.toString()).toBe("request");
    expect(events).toEqual(["readConnectionLost", "writeConnectionLost"]);
    expect(client.received.toString()).toBe("reply after EOF");
    expect(client.reasons).toEqual([]);
  });

  it("loseWriteConnection closes the connection when the peer cannot half-close", () => {
    const { client, server, pump } = connectedServerAndClient(new Recorder(), new Recorder());
    (client.transport as ITCPTransport).loseWriteConnection();
    pump.flush();
    expect(server.reasons[0]!.check(ConnectionDone)).toBe(ConnectionDone);
    expect(client.reasons[0]!.check(ConnectionDone)).toBe(ConnectionDone);
  });

  it("lets exceptions from protocol callbacks propagate to the test", () => {
    class Throwing extends Recorder {
      override dataReceived(): void {
        throw new Error("bad input");
      }
    }
    const { client, pump } = connectedServerAndClient(new Throwing(), new Recorder());
    client.transport.write("x");
    expect(() => pump.pump()).toThrow("bad input");
    expect(pump.pump()).toBe(false); // the data was taken: nothing is delivered twice
  });

  it("still reports the loss to the other side when one connectionLost throws", () => {
    class Throwing extends Recorder {
      override connectionLost(): void {
        throw new Error("in connectionLost");
      }
    }
    const { server, pump } = connectedServerAndClient(new Recorder(), new Throwing());
    server.transport.loseConnection();
    expect(() => pump.flush()).toThrow("in connectionLost");
    expect(server.reasons.length).toBe(1);
  });

  it("flush gives up with an error when the protocols never go quiet", () => {
    const { client, pump } = connectedServerAndClient(new Echo(), new Echo());
    client.transport.write("forever");
    expect(() => pump.flush(50)).toThrow(/still moving data after 50 pumps/);
  });

  it("records TCP options and keeps copies of written data", () => {
    const { client, server, pump } = connectedServerAndClient(new Recorder(), new Recorder());
    client.tcp.setTcpNoDelay(true);
    client.tcp.setTcpKeepAlive(true);
    expect(client.tcp.tcpNoDelay).toBe(true);
    expect(client.tcp.tcpKeepAlive).toBe(true);
    const b = Buffer.from("abc");
    client.transport.writeSequence([b, new Uint8Array([0x64])]);
    b.fill(0);
    pump.flush();
    expect(server.received.toString()).toBe("abcd");
    expect(client.tcp.protocol).toBe(client);
  });
});
