import { describe, expect, it } from "vitest";
import { ConnectionAborted, ConnectionDone } from "../errors.ts";
import type { Failure } from "../failure.ts";
import type { IPushProducer } from "../interfaces.ts";
import { Protocol } from "../protocol/protocol.ts";
import { IPv4Address, UNIXAddress } from "../transport/address.ts";
import {
  StringDatagramTransport,
  StringTransport,
  StringTransportWithDisconnection,
} from "./string-transport.ts";

const producer: IPushProducer = { pauseProducing() {}, resumeProducing() {}, stopProducing() {} };

describe("StringTransport", () => {
  it("records writes, strings as UTF-8, until clear()", () => {
    const t = new StringTransport();
    expect(t.value()).toEqual(Buffer.alloc(0));
    t.write("héllo ");
    t.write(new Uint8Array([0x77]));
    t.writeSequence(["o", Buffer.from("rld")]);
    expect(t.value().toString("utf8")).toBe("héllo world");
    t.clear();
    expect(t.value().length).toBe(0);
    t.write("again");
    expect(t.value().toString()).toBe("again");
  });

  it("copies written data, so the caller may reuse its buffer", () => {
    const t = new StringTransport();
    const b = Buffer.from("abc");
    t.write(b);
    b.fill(0x78);
    expect(t.value().toString()).toBe("abc");
    const v = t.value();
    v.fill(0x79);
    expect(t.value().toString()).toBe("abc");
  });

  it("reports Twisted's default addresses, or the ones given", () => {
    const t = new StringTransport();
    expect(t.getPeer()).toEqual(new IPv4Address("TCP", "192.168.1.1", 54321));
    expect(t.getHost()).toEqual(new IPv4Address("TCP", "10.0.0.1", 12345));
    const u = new StringTransport({
      hostAddress: new UNIXAddress("/a"),
      peerAddress: new UNIXAddress("/b"),
    });
    expect(u.getHost()).toEqual(new UNIXAddress("/a"));
    expect(u.getPeer()).toEqual(new UNIXAddress("/b"));
  });

  it("loseConnection only sets disconnecting; writes are still recorded", () => {
    const t = new StringTransport();
    expect(t.disconnecting).toBe(false);
    t.loseConnection();
    expect(t.disconnecting).toBe(true);
    expect(t.connected).toBe(true);
    expect(t.aborted).toBe(false);
    t.write("late");
    expect(t.value().toString()).toBe("late");
  });

  it("abortConnection sets aborted and disconnecting", () => {
    const t = new StringTransport();
    t.abortConnection();
    expect(t.aborted).toBe(true);
    expect(t.disconnecting).toBe(true);
  });

  it("records loseWriteConnection and TCP options", () => {
    const t = new StringTransport();
    t.loseWriteConnection();
    t.setTcpNoDelay(true);
    t.setTcpKeepAlive(true, 10);
    expect(t.writeConnectionLost).toBe(true);
    expect(t.tcpNoDelay).toBe(true);
    expect(t.tcpKeepAlive).toBe(true);
  });

  it("records one registered producer at a time", () => {
    const t = new StringTransport();
    expect(t.producer).toBeNull();
    expect(t.streaming).toBeNull();
    t.registerProducer(producer, true);
    expect(t.producer).toBe(producer);
    expect(t.streaming).toBe(true);
    expect(() => t.registerProducer(producer, false)).toThrow(/two producers/);
    t.unregisterProducer();
    expect(t.producer).toBeNull();
    expect(t.streaming).toBeNull();
    expect(() => t.unregisterProducer()).toThrow(/unless one is registered/);
  });

  it("tracks its own producer state", () => {
    const t = new StringTransport();
    expect(t.producerState).toBe("producing");
    t.pauseProducing();
    expect(t.producerState).toBe("paused");
    t.resumeProducing();
    expect(t.producerState).toBe("producing");
    t.stopProducing();
    expect(t.producerState).toBe("stopped");
    expect(() => t.resumeProducing()).toThrow(/stopped producer/);
    expect(() => t.pauseProducing()).toThrow(/stopped producer/);
  });

  it("refuses pause/resume after loseConnection unless lenient", () => {
    const t = new StringTransport();
    t.loseConnection();
    expect(() => t.resumeProducing()).toThrow(/after loseConnection/);
    const l = new StringTransport({ lenient: true });
    l.loseConnection();
    l.pauseProducing();
    l.resumeProducing();
    expect(l.producerState).toBe("producing");
  });
});

class Closing extends Protocol {
  reasons: Failure[] = [];
  override connectionLost(reason: Failure): void {
    this.reasons.push(reason);
  }
}

describe("StringTransportWithDisconnection", () => {
  it("calls connectionLost with ConnectionDone once on loseConnection", () => {
    const p = new Closing();
    const t = new StringTransportWithDisconnection();
    t.protocol = p;
    p.makeConnection(t);
    t.loseConnection();
    t.loseConnection();
    expect(p.reasons.length).toBe(1);
    expect(p.reasons[0]!.check(ConnectionDone)).toBe(ConnectionDone);
    expect(t.connected).toBe(false);
    expect(t.disconnecting).toBe(true);
  });

  it("reports an abort as ConnectionAborted", () => {
    const p = new Closing();
    const t = new StringTransportWithDisconnection({ protocol: p });
    t.abortConnection();
    expect(t.aborted).toBe(true);
    expect(p.reasons.length).toBe(1);
    expect(p.reasons[0]!.check(ConnectionAborted)).toBe(ConnectionAborted);
  });

  it("lets an exception from connectionLost reach the caller", () => {
    class Boom extends Protocol {
      override connectionLost(): void {
        throw new Error("boom");
      }
    }
    const t = new StringTransportWithDisconnection({ protocol: new Boom() });
    expect(() => t.loseConnection()).toThrow("boom");
  });
});

describe("StringDatagramTransport", () => {
  it("records datagrams with their address, the connected peer by default", async () => {
    const t = new StringDatagramTransport();
    t.write("a", ["1.2.3.4", 5]);
    t.write("b");
    t.connect("5.6.7.8", 9);
    t.write(Buffer.from("c"));
    expect(t.written).toEqual([
      { data: Buffer.from("a"), addr: ["1.2.3.4", 5] },
      { data: Buffer.from("b"), addr: undefined },
      { data: Buffer.from("c"), addr: ["5.6.7.8", 9] },
    ]);
    expect(t.getHost()).toEqual(new IPv4Address("UDP", "10.0.0.1", 12345));
    await t.stopListening();
    expect(t.closed).toBe(true);
  });
});
