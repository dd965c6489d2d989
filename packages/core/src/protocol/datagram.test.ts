import { describe, expect, it } from "vitest";
import { NotConnectedError } from "../errors.ts";
import { StringDatagramTransport } from "../testing/string-transport.ts";
import { DatagramProtocol } from "./datagram.ts";

class EchoDatagram extends DatagramProtocol {
  events: string[] = [];
  override startProtocol(): void {
    this.events.push("start");
  }
  override stopProtocol(): void {
    this.events.push("stop");
  }
  override datagramReceived(data: Buffer, addr: readonly [string, number]): void {
    this.transport.write(data, addr);
  }
}

describe("DatagramProtocol", () => {
  it("throws NotConnectedError when the transport is read before makeConnection", () => {
    const p = new DatagramProtocol();
    expect(() => p.transport).toThrow(NotConnectedError);
    expect(p.hasTransport).toBe(false);
  });

  it("makeConnection attaches the transport, then calls startProtocol", () => {
    const p = new EchoDatagram();
    const t = new StringDatagramTransport();
    p.makeConnection(t);
    expect(p.transport).toBe(t);
    expect(p.events).toEqual(["start"]);
    expect(p.numPorts).toBe(1);
  });

  it("refuses a second transport while one is attached", () => {
    const p = new DatagramProtocol();
    p.makeConnection(new StringDatagramTransport());
    expect(() => p.makeConnection(new StringDatagramTransport())).toThrow(
      /already has a transport/,
    );
  });

  it("replies through the transport", () => {
    const p = new EchoDatagram();
    const t = new StringDatagramTransport();
    p.makeConnection(t);
    p.datagramReceived(Buffer.from("ping"), ["10.1.1.1", 5000]);
    expect(t.written).toEqual([{ data: Buffer.from("ping"), addr: ["10.1.1.1", 5000] }]);
  });

  it("doStop detaches the transport and calls stopProtocol after the last port", () => {
    const p = new EchoDatagram();
    p.makeConnection(new StringDatagramTransport());
    p.doStop();
    expect(p.events).toEqual(["start", "stop"]);
    expect(p.hasTransport).toBe(false);
    p.doStop(); // unbalanced: ignored
    expect(p.events).toEqual(["start", "stop"]);
    p.makeConnection(new StringDatagramTransport());
    expect(p.events).toEqual(["start", "stop", "start"]);
  });

  it("starts once and stops once when used by several ports", () => {
    const p = new EchoDatagram();
    p.doStart();
    p.doStart();
    p.doStop();
    expect(p.events).toEqual(["start"]);
    p.doStop();
    expect(p.events).toEqual(["start", "stop"]);
  });

  it("has no-op defaults and the class name as log prefix", () => {
    const p = new DatagramProtocol();
    expect(() => p.datagramReceived(Buffer.alloc(1), ["h", 1])).not.toThrow();
    expect(() => p.connectionRefused()).not.toThrow();
    expect(new EchoDatagram().logPrefix()).toBe("EchoDatagram");
  });
});
