// Twisted's twisted/protocols/haproxy/test/test_v2parser.py, case by case, plus limits.
import { describe, expect, it } from "vitest";
import { IPv4Address, IPv6Address, UNIXAddress } from "../transport/address.ts";
import { InvalidProxyHeader } from "./errors.ts";
import { V2_SIGNATURE, V2Parser } from "./v2-parser.ts";

const hex = (...bytes: number[]) => Buffer.from(bytes);

function makeHeaderIPv6(
  o: Partial<Record<"sig" | "verCom" | "famProto" | "addrLength" | "addrs" | "ports", Buffer>> = {},
): Buffer {
  return Buffer.concat([
    o.sig ?? V2_SIGNATURE,
    o.verCom ?? hex(0x21),
    o.famProto ?? hex(0x21),
    o.addrLength ?? hex(0x00, 0x24),
    o.addrs ?? Buffer.concat([Buffer.alloc(15), hex(1), Buffer.alloc(15), hex(1)]),
    o.ports ?? hex(0x1f, 0x90, 0x22, 0xb8),
  ]);
}

function makeHeaderIPv4(
  o: Partial<Record<"sig" | "verCom" | "famProto" | "addrLength" | "addrs" | "ports", Buffer>> = {},
): Buffer {
  return Buffer.concat([
    o.sig ?? V2_SIGNATURE,
    o.verCom ?? hex(0x21),
    o.famProto ?? hex(0x11),
    o.addrLength ?? hex(0x00, 0x0c),
    o.addrs ?? hex(0x7f, 0, 0, 1, 0x7f, 0, 0, 1),
    o.ports ?? hex(0x1f, 0x90, 0x22, 0xb8),
  ]);
}

const SOCK_PATH = Buffer.concat([Buffer.from("/home/tests/mysockets/sock"), Buffer.alloc(82)]);

function makeHeaderUnix(
  o: Partial<Record<"sig" | "verCom" | "famProto" | "addrLength" | "addrs", Buffer>> = {},
): Buffer {
  return Buffer.concat([
    o.sig ?? V2_SIGNATURE,
    o.verCom ?? hex(0x21),
    o.famProto ?? hex(0x31),
    o.addrLength ?? hex(0x00, 0xd8),
    o.addrs ?? Buffer.concat([SOCK_PATH, SOCK_PATH]),
  ]);
}

describe("V2Parser (Twisted's V2ParserTests)", () => {
  it("test_happyPathIPv4", () => {
    expect(V2Parser.parse(makeHeaderIPv4()).source).toBeTruthy();
  });
  it("test_happyPathIPv6", () => {
    expect(V2Parser.parse(makeHeaderIPv6()).source).toBeTruthy();
  });
  it("test_happyPathUnix", () => {
    expect(V2Parser.parse(makeHeaderUnix()).source).toBeTruthy();
  });
  it("test_invalidSignature", () => {
    expect(() => V2Parser.parse(makeHeaderIPv4({ sig: Buffer.alloc(12) }))).toThrow(
      InvalidProxyHeader,
    );
  });
  it("test_invalidVersion", () => {
    expect(() => V2Parser.parse(makeHeaderIPv4({ verCom: hex(0x11) }))).toThrow(InvalidProxyHeader);
  });
  it("test_invalidCommand", () => {
    expect(() => V2Parser.parse(makeHeaderIPv4({ verCom: hex(0x23) }))).toThrow(InvalidProxyHeader);
  });
  it("test_invalidFamily", () => {
    expect(() => V2Parser.parse(makeHeaderIPv4({ famProto: hex(0x40) }))).toThrow(
      InvalidProxyHeader,
    );
  });
  it("test_invalidProto", () => {
    expect(() => V2Parser.parse(makeHeaderIPv4({ famProto: hex(0x24) }))).toThrow(
      InvalidProxyHeader,
    );
  });

  it.each([
    ["test_localCommandIpv4", makeHeaderIPv4({ verCom: hex(0x20) })],
    ["test_localCommandIpv6", makeHeaderIPv6({ verCom: hex(0x20) })],
    ["test_localCommandUnix", makeHeaderUnix({ verCom: hex(0x20) })],
    ["test_unspecFamilyIpv4", makeHeaderIPv4({ famProto: hex(0x01) })],
    ["test_unspecFamilyIpv6", makeHeaderIPv6({ famProto: hex(0x01) })],
    ["test_unspecFamilyUnix", makeHeaderUnix({ famProto: hex(0x01) })],
    ["test_unspecProtoIpv4", makeHeaderIPv4({ famProto: hex(0x10) })],
    ["test_unspecProtoIpv6", makeHeaderIPv6({ famProto: hex(0x20) })],
    ["test_unspecProtoUnix", makeHeaderUnix({ famProto: hex(0x30) })],
  ])("%s: no addresses", (_name, header) => {
    const info = V2Parser.parse(header);
    expect(info.source).toBeNull();
    expect(info.destination).toBeNull();
  });

  it("test_proxyCommandIpv4", () => {
    const info = V2Parser.parse(makeHeaderIPv4({ verCom: hex(0x21) }));
    expect(info.source).toBeInstanceOf(IPv4Address);
    expect(info.destination).toBeInstanceOf(IPv4Address);
    expect(info.source).toMatchObject({ host: "127.0.0.1", port: 8080 });
    expect(info.destination).toMatchObject({ host: "127.0.0.1", port: 8888 });
  });
  it("test_proxyCommandIpv6", () => {
    const info = V2Parser.parse(makeHeaderIPv6({ verCom: hex(0x21) }));
    expect(info.source).toBeInstanceOf(IPv6Address);
    expect(info.destination).toBeInstanceOf(IPv6Address);
    // Twisted prints "0:0:0:0:0:0:0:1"; we use the RFC 5952 form Node gives socket addresses.
    expect(info.source).toMatchObject({ host: "::1", port: 8080 });
  });
  it("test_proxyCommandUnix", () => {
    const info = V2Parser.parse(makeHeaderUnix({ verCom: hex(0x21) }));
    expect(info.source).toBeInstanceOf(UNIXAddress);
    expect(info.destination).toBeInstanceOf(UNIXAddress);
    expect((info.source as UNIXAddress).name).toBe("/home/tests/mysockets/sock");
  });

  it.each([
    ["test_overflowIpv4", makeHeaderIPv4()],
    ["test_overflowIpv6", makeHeaderIPv6()],
    ["test_overflowUnix", makeHeaderUnix()],
  ])("%s", (_name, header) => {
    const testValue = Buffer.from("TEST DATA\r\n\r\nTEST DATA");
    const result = new V2Parser().feed(Buffer.concat([header, testValue]));
    expect(result?.info.source).toBeTruthy();
    expect(result?.rest).toEqual(testValue);
  });

  it("test_segmentTooSmall: a first segment that cannot start a signature fails", () => {
    // Twisted refuses any first segment under 16 bytes; we wait for more bytes as long as they
    // can still be the signature, so only a segment that is not its prefix fails.
    expect(() => new V2Parser().feed(Buffer.from("NEEDMOREDATA"))).toThrow(InvalidProxyHeader);
    expect(new V2Parser().feed(V2_SIGNATURE.subarray(0, 12))).toBeNull();
  });
});

describe("V2Parser limits and TLVs", () => {
  it("skips TLVs after the addresses", () => {
    const tlv = hex(0x04, 0x00, 0x03, 0x61, 0x62, 0x63); // PP2_TYPE_NOOP, 3 bytes
    const header = makeHeaderIPv4({
      addrLength: hex(0x00, 12 + tlv.length),
      ports: Buffer.concat([hex(0x1f, 0x90, 0x22, 0xb8), tlv]),
    });
    const result = new V2Parser().feed(Buffer.concat([header, Buffer.from("after")]));
    expect(result?.info.source).toMatchObject({ host: "127.0.0.1", port: 8080 });
    expect(result?.info.header).toEqual(header);
    expect(result?.rest.toString()).toBe("after");
  });

  it("refuses a declared length over the cap as soon as the length arrives", () => {
    const parser = new V2Parser({ maxLength: 100 });
    const fixed = Buffer.concat([V2_SIGNATURE, hex(0x21, 0x11, 0x00, 101)]);
    expect(() => parser.feed(fixed)).toThrow(/limit of 100/);
  });

  it("refuses a declared length too short for the family's addresses", () => {
    const header = makeHeaderIPv6({
      addrLength: hex(0x00, 0x0c),
      addrs: Buffer.alloc(8),
      ports: Buffer.alloc(4),
    });
    expect(() => new V2Parser().feed(header)).toThrow(/too few/);
  });

  it("refuses a bad signature byte as soon as it arrives", () => {
    const parser = new V2Parser();
    expect(parser.feed(V2_SIGNATURE.subarray(0, 5))).toBeNull();
    expect(() => parser.feed(Buffer.from("X"))).toThrow(InvalidProxyHeader);
  });

  it("formats IPv6 addresses as Node does", () => {
    const addr = (s: string) => {
      const h = makeHeaderIPv6({
        addrs: Buffer.concat([Buffer.from(s.replace(/ /g, ""), "hex"), Buffer.alloc(16)]),
      });
      return (V2Parser.parse(h).source as IPv6Address).host;
    };
    expect(addr("2001 0db8 0000 0000 0000 0000 0000 0001")).toBe("2001:db8::1");
    expect(addr("2001 0db8 0000 0001 0000 0000 0000 0001")).toBe("2001:db8:0:1::1");
    expect(addr("0000 0000 0000 0000 0000 ffff 7f00 0002")).toBe("::ffff:127.0.0.2");
    expect(addr("fe80 0001 0002 0003 0004 0005 0006 0007")).toBe("fe80:1:2:3:4:5:6:7");
    expect(addr("0000 0000 0000 0000 0000 0000 0000 0000")).toBe("::");
  });
});
