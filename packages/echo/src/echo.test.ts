import { IPv4Address } from "@torsion/core";
import { StringDatagramTransport, StringTransport } from "@torsion/core/testing";
import { forEveryChunking } from "@torsion/test-utils";
import { describe, expect, it } from "vitest";
import { Discard, DiscardDatagram } from "./discard.ts";
import { Echo, EchoDatagram } from "./echo.ts";

const input = Buffer.from("hello world\r\n\x00\xff binary \u00e9 too");

describe("Echo", () => {
  it("writes back every byte, whatever the chunking", () => {
    forEveryChunking(input, (chunks) => {
      const transport = new StringTransport();
      const proto = new Echo();
      proto.makeConnection(transport);
      for (const chunk of chunks) proto.dataReceived(chunk);
      expect(transport.value()).toEqual(input);
      expect(transport.disconnecting).toBe(false);
    });
  });

  it("never closes the connection itself", () => {
    const transport = new StringTransport();
    const proto = new Echo();
    proto.makeConnection(transport);
    expect(transport.value().length).toBe(0);
    proto.dataReceived(Buffer.from("quit\r\n"));
    expect(transport.disconnecting).toBe(false);
  });
});

describe("EchoDatagram", () => {
  it("returns each datagram to its sender", () => {
    const transport = new StringDatagramTransport(new IPv4Address("UDP", "127.0.0.1", 7));
    const proto = new EchoDatagram();
    proto.makeConnection(transport);
    proto.datagramReceived(Buffer.from("one"), ["10.0.0.2", 1234]);
    proto.datagramReceived(Buffer.alloc(0), ["10.0.0.3", 99]);
    expect(transport.written).toEqual([
      { data: Buffer.from("one"), addr: ["10.0.0.2", 1234] },
      { data: Buffer.alloc(0), addr: ["10.0.0.3", 99] },
    ]);
  });
});

describe("Discard", () => {
  it("writes nothing and stays open, whatever the chunking", () => {
    forEveryChunking(input, (chunks) => {
      const transport = new StringTransport();
      const proto = new Discard();
      proto.makeConnection(transport);
      for (const chunk of chunks) proto.dataReceived(chunk);
      expect(transport.value().length).toBe(0);
      expect(transport.disconnecting).toBe(false);
    });
  });

  it("answers no datagram", () => {
    const transport = new StringDatagramTransport();
    const proto = new DiscardDatagram();
    proto.makeConnection(transport);
    proto.datagramReceived(Buffer.from("x"), ["10.0.0.2", 1]);
    expect(transport.written).toEqual([]);
  });
});
