import { describe, expect, it } from "vitest";
import { ConnectionDone, NotConnectedError } from "../errors.ts";
import { Failure } from "../failure.ts";
import { StringTransport } from "../testing/string-transport.ts";
import { BaseProtocol, connectionDone, Protocol } from "./protocol.ts";

class Recorder extends Protocol {
  events: string[] = [];
  override connectionMade(): void {
    this.events.push(`made:${this.transport.getPeer().type}`);
  }
}

describe("Protocol", () => {
  it("throws NotConnectedError when the transport is read before makeConnection", () => {
    const p = new Protocol();
    expect(() => p.transport).toThrow(NotConnectedError);
    expect(p.hasTransport).toBe(false);
    expect(p.connected).toBe(false);
  });

  it("attaches the transport before calling connectionMade, exactly once", () => {
    const p = new Recorder();
    const t = new StringTransport();
    p.makeConnection(t);
    expect(p.events).toEqual(["made:TCP"]);
    expect(p.transport).toBe(t);
    expect(p.hasTransport).toBe(true);
    expect(p.connected).toBe(true);
  });

  it("lets the transport be set directly (as a transport implementation may)", () => {
    const p = new Protocol();
    const t = new StringTransport();
    p.transport = t;
    expect(p.transport).toBe(t);
    p.transport = undefined;
    expect(() => p.transport).toThrow(NotConnectedError);
  });

  it("has no-op defaults for data and connection loss", () => {
    const p = new Protocol();
    p.makeConnection(new StringTransport());
    expect(() => p.dataReceived(Buffer.from("x"))).not.toThrow();
    expect(() => p.connectionLost(new Failure(new ConnectionDone()))).not.toThrow();
    expect(() => p.connectionLost()).not.toThrow();
    expect(p.factory).toBeUndefined();
  });

  it("uses the class name as its log prefix", () => {
    expect(new Recorder().logPrefix()).toBe("Recorder");
  });

  it("BaseProtocol also records the connection", () => {
    const p = new BaseProtocol();
    const t = new StringTransport();
    p.makeConnection(t);
    expect(p.transport).toBe(t);
  });
});

describe("connectionDone", () => {
  it("is a Failure wrapping ConnectionDone", () => {
    expect(connectionDone).toBeInstanceOf(Failure);
    expect(connectionDone.check(ConnectionDone)).toBe(ConnectionDone);
  });
});
