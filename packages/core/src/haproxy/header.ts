/**
 * Writing PROXY protocol headers, for clients that chain proxies and for tests: the encoder
 * beside {@link ProxyHeaderDecoder}.
 *
 * @module
 */
import { isIPv4, isIPv6 } from "node:net";
import type { IAddress } from "../interfaces.ts";
import { IPv4Address, type IPv6Address, UNIXAddress } from "../transport/address.ts";
import { V2_SIGNATURE } from "./v2-parser.ts";

type IPAddress = IPv4Address | IPv6Address;

function ipv4Bytes(host: string): number[] {
  return host.split(".").map(Number);
}

function ipv6Bytes(host: string): number[] {
  let text = host;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  const maybeV4 = text.slice(lastColon + 1);
  if (isIPv4(maybeV4)) {
    tail.push(...ipv4Bytes(maybeV4));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = "", rest] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = rest === undefined || rest === "" ? [] : rest.split(":");
  const zeros = rest === undefined ? [] : new Array(8 - left.length - right.length).fill("0");
  const groups = [...left, ...zeros, ...right].map((g) => Number.parseInt(g, 16));
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length > 0) bytes.splice(12, 4, ...tail);
  return bytes;
}

function checkPair(source: IAddress, destination: IAddress): void {
  if (source.constructor !== destination.constructor)
    throw new TypeError("PROXY header source and destination must be of the same family");
}

/**
 * A v1 header: `PROXY TCP4 <src> <dst> <sport> <dport>\r\n` for IPv4/IPv6 addresses, or
 * `PROXY UNKNOWN\r\n` when no addresses are given (the receiver keeps the socket's own).
 *
 * ```ts
 * transport.write(proxyHeaderV1(new IPv4Address("TCP", "127.0.0.2", 5555), server));
 * ```
 */
export function proxyHeaderV1(source?: IPAddress | null, destination?: IPAddress | null): Buffer {
  if (source == null || destination == null) return Buffer.from("PROXY UNKNOWN\r\n", "latin1");
  checkPair(source, destination);
  const family = source instanceof IPv4Address ? "TCP4" : "TCP6";
  const valid = family === "TCP4" ? isIPv4 : isIPv6;
  if (!valid(source.host) || !valid(destination.host))
    throw new TypeError(`Not ${family} addresses: '${source.host}', '${destination.host}'`);
  return Buffer.from(
    `PROXY ${family} ${source.host} ${destination.host} ${source.port} ${destination.port}\r\n`,
    "latin1",
  );
}

/**
 * A v2 header with the PROXY command for IPv4, IPv6 or UNIX addresses (STREAM), or the LOCAL
 * command (no addresses: the receiver keeps the socket's own) when none are given. No TLVs.
 */
export function proxyHeaderV2(
  source?: IPAddress | UNIXAddress | null,
  destination?: IPAddress | UNIXAddress | null,
): Buffer {
  if (source == null || destination == null)
    return Buffer.concat([V2_SIGNATURE, Buffer.from([0x20, 0x00, 0x00, 0x00])]);
  checkPair(source, destination);
  let familyProtocol: number;
  let body: Buffer;
  if (source instanceof UNIXAddress && destination instanceof UNIXAddress) {
    familyProtocol = 0x31;
    body = Buffer.alloc(216);
    for (const [at, name] of [
      [0, source.name ?? ""],
      [108, destination.name ?? ""],
    ] as const) {
      const path = Buffer.from(name, "utf8");
      if (path.length > 107) throw new TypeError(`UNIX path too long for a PROXY header: ${name}`);
      path.copy(body, at);
    }
  } else {
    const src = source as IPAddress;
    const dst = destination as IPAddress;
    const v4 = src instanceof IPv4Address;
    const valid = v4 ? isIPv4 : isIPv6;
    if (!valid(src.host) || !valid(dst.host))
      throw new TypeError(`Not IPv${v4 ? 4 : 6} addresses: '${src.host}', '${dst.host}'`);
    const toBytes = v4 ? ipv4Bytes : ipv6Bytes;
    familyProtocol = v4 ? 0x11 : 0x21;
    const ports = Buffer.alloc(4);
    ports.writeUInt16BE(src.port, 0);
    ports.writeUInt16BE(dst.port, 2);
    body = Buffer.concat([Buffer.from([...toBytes(src.host), ...toBytes(dst.host)]), ports]);
  }
  const fixed = Buffer.from([0x21, familyProtocol, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([V2_SIGNATURE, fixed, body]);
}
