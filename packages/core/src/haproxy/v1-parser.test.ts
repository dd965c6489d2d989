// Twisted's twisted/protocols/haproxy/test/test_v1parser.py, case by case, plus chunking.
import { describe, expect, it } from "vitest";
import { IPv4Address, IPv6Address } from "../transport/address.ts";
import { InvalidNetworkProtocol, InvalidProxyHeader, MissingAddressData } from "./errors.ts";
import { V1Parser } from "./v1-parser.ts";

const b = (s: string) => Buffer.from(s, "latin1");

describe("V1Parser (Twisted's V1ParserTests)", () => {
  it("test_missingPROXYHeaderValue", () => {
    expect(() => V1Parser.parse(b("NOTPROXY "))).toThrow(InvalidProxyHeader);
  });

  it("test_invalidNetworkProtocol", () => {
    expect(() => V1Parser.parse(b("PROXY WUTPROTO "))).toThrow(InvalidNetworkProtocol);
  });

  it("test_missingSourceData", () => {
    expect(() => V1Parser.parse(b("PROXY TCP4 "))).toThrow(MissingAddressData);
  });

  it("test_missingDestData", () => {
    expect(() => V1Parser.parse(b("PROXY TCP4 127.0.0.1 8080 8888"))).toThrow(MissingAddressData);
  });

  it("test_fullParsingSuccess", () => {
    const info = V1Parser.parse(b("PROXY TCP4 127.0.0.1 127.0.0.1 8080 8888"));
    expect(info.source).toBeInstanceOf(IPv4Address);
    expect(info.source).toMatchObject({ host: "127.0.0.1", port: 8080 });
    expect(info.destination).toMatchObject({ host: "127.0.0.1", port: 8888 });
  });

  it("test_fullParsingSuccess_IPv6", () => {
    const info = V1Parser.parse(b("PROXY TCP6 ::1 ::1 8080 8888"));
    expect(info.source).toBeInstanceOf(IPv6Address);
    expect(info.source).toMatchObject({ host: "::1", port: 8080 });
    expect(info.destination).toMatchObject({ host: "::1", port: 8888 });
  });

  it("test_fullParsingSuccess_UNKNOWN", () => {
    const info = V1Parser.parse(b("PROXY UNKNOWN anything could go here"));
    expect(info.source).toBeNull();
    expect(info.destination).toBeNull();
  });

  it("test_feedParsing", () => {
    const parser = new V1Parser();
    expect(parser.feed(b("PROXY TCP4 127.0.0.1 127.0.0.1 "))).toBeNull();
    expect(parser.feed(b("8080 8888"))).toBeNull();
    const result = parser.feed(b("\r\n"));
    expect(result?.rest.length).toBe(0);
    expect(result?.info.source).toBeInstanceOf(IPv4Address);
    expect(result?.info.source).toMatchObject({ host: "127.0.0.1", port: 8080 });
    expect(result?.info.destination).toMatchObject({ host: "127.0.0.1", port: 8888 });
  });

  it("test_feedParsingTooLong", () => {
    const parser = new V1Parser();
    expect(parser.feed(b("PROXY TCP4 127.0.0.1 127.0.0.1 "))).toBeNull();
    expect(parser.feed(b("8080 8888"))).toBeNull();
    expect(() => parser.feed(b(" ".repeat(100)))).toThrow(InvalidProxyHeader);
  });

  it("test_feedParsingOverflow", () => {
    const parser = new V1Parser();
    const result = parser.feed(b("PROXY TCP4 127.0.0.1 127.0.0.1 8080 8888\r\nHTTP/1.1 GET /\r\n"));
    expect(result).not.toBeNull();
    expect(result?.rest.toString("latin1")).toBe("HTTP/1.1 GET /\r\n");
    expect(parser.buffer.length).toBe(0);
  });
});

describe("V1Parser limits", () => {
  // The longest legal header: TCP6 with two full-length addresses and 5-digit ports.
  const longest = `PROXY TCP6 ${"ffff:".repeat(7)}ffff ${"ffff:".repeat(7)}ffff 65535 65535\r\n`;

  it("accepts a full-length TCP6 header (104 bytes), fed one byte at a time", () => {
    expect(longest.length).toBe(104);
    const padded = b(longest);
    const parser = new V1Parser();
    let result = null;
    for (const byte of padded) result = parser.feed(Buffer.from([byte]));
    expect(result?.info.header.toString("latin1")).toBe(longest);
  });

  it("accepts a CRLF that ends exactly at byte 107 and refuses one at byte 108", () => {
    const at107 = `PROXY UNKNOWN ${"x".repeat(107 - 16)}\r\n`;
    expect(at107.length).toBe(107);
    expect(new V1Parser().feed(b(at107))?.info.source).toBeNull();
    const at108 = `PROXY UNKNOWN ${"x".repeat(108 - 16)}\r\n`;
    expect(() => new V1Parser().feed(b(at108))).toThrow(/too long/);
  });

  it("refuses 107 bytes without CRLF before the CRLF could arrive", () => {
    const parser = new V1Parser();
    expect(parser.feed(b(`PROXY UNKNOWN ${"x".repeat(91)}`))).toBeNull(); // 105 bytes
    expect(() => parser.feed(b("x"))).toThrow(/too long/); // 106th is not CR
  });

  it.each([
    ["a bad port", "PROXY TCP4 1.2.3.4 5.6.7.8 99999 80"],
    ["a signed port", "PROXY TCP4 1.2.3.4 5.6.7.8 +1 80"],
    ["an IPv6 address for TCP4", "PROXY TCP4 ::1 ::1 1 2"],
    ["an IPv4 address for TCP6", "PROXY TCP6 1.2.3.4 5.6.7.8 1 2"],
    ["a host name", "PROXY TCP4 example.com 5.6.7.8 1 2"],
    ["extra fields", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3"],
  ])("refuses %s", (_what, line) => {
    expect(() => V1Parser.parse(b(line))).toThrow(InvalidProxyHeader);
  });
});
