import { describe, expect, it } from "vitest";
import { addressFor, IPv4Address, IPv6Address, UNIXAddress } from "./address.ts";

describe("addresses", () => {
  it("compare by value and print as Twisted does", () => {
    const a = new IPv4Address("TCP", "127.0.0.1", 8007);
    expect(a.equals(new IPv4Address("TCP", "127.0.0.1", 8007))).toBe(true);
    expect(a.equals(new IPv4Address("UDP", "127.0.0.1", 8007))).toBe(false);
    expect(String(a)).toBe("IPv4Address(TCP, '127.0.0.1', 8007)");
    expect(String(new IPv6Address("TCP", "::1", 1))).toBe("IPv6Address(TCP, '::1', 1)");
    expect(String(new UNIXAddress("/tmp/s"))).toBe("UNIXAddress('/tmp/s')");
    expect(new UNIXAddress("/a").equals(new UNIXAddress("/a"))).toBe(true);
  });
  it("addressFor picks the family and unwraps IPv4-mapped IPv6 hosts", () => {
    expect(addressFor("TCP", "10.0.0.1", 5)).toBeInstanceOf(IPv4Address);
    expect(addressFor("TCP", "::1", 5, "IPv6")).toBeInstanceOf(IPv6Address);
    const mapped = addressFor("TCP", "::ffff:127.0.0.1", 9, "IPv6");
    expect(mapped).toBeInstanceOf(IPv4Address);
    expect(mapped.host).toBe("127.0.0.1");
  });
});
