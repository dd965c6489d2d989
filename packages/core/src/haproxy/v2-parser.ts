/**
 * The PROXY protocol version 2 (binary) header (Twisted's `_v2parser.V2Parser`): a 12-byte
 * signature, version and command, family and transport, a big-endian 16-bit length, then that
 * many bytes of addresses and TLVs.
 *
 * @module
 */

import type { IAddress } from "../interfaces.ts";
import { IPv4Address, IPv6Address, UNIXAddress } from "../transport/address.ts";
import { InvalidProxyHeader, MissingAddressData } from "./errors.ts";
import type { ProxyHeaderResult, ProxyInfo } from "./info.ts";

/** The v2 signature: `\r\n\r\n\0\r\nQUIT\n`. */
export const V2_SIGNATURE: Buffer = Buffer.from([
  0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
]);

/**
 * The default cap on a v2 header's declared length (the bytes after the fixed 16): the largest
 * address block is 216 bytes (two UNIX paths); the rest leaves room for the TLVs HAProxy and
 * cloud balancers send (ALPN, authority, CRC, unique id, SSL), without letting a peer make us
 * buffer 64 KiB before the protocol starts.
 */
export const V2_DEFAULT_MAX_LENGTH = 2048;

const FIXED = 16;
const ADDRESS_LENGTH: Readonly<Record<number, number>> = { 1: 12, 2: 36, 3: 216 };

/** Options of {@link V2Parser}. */
export interface V2ParserOptions {
  /** Refuse a header whose declared length (after the fixed 16 bytes) is above this; default {@link V2_DEFAULT_MAX_LENGTH}. */
  maxLength?: number;
}

/** RFC 5952 text of a 16-byte IPv6 address (`::1`, `2001:db8::1`, `::ffff:127.0.0.1`), as Node reports socket addresses. */
function ipv6Text(b: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

function unixPath(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.subarray(0, nul === -1 ? b.length : nul).toString("utf8");
}

/** Decodes one v2 header from bytes fed in any chunking. */
export class V2Parser {
  #buffer: Buffer = Buffer.alloc(0);
  readonly #maxLength: number;

  constructor(options: V2ParserOptions = {}) {
    this.#maxLength = options.maxLength ?? V2_DEFAULT_MAX_LENGTH;
  }

  /** The bytes fed so far that are not yet a whole header. */
  get buffer(): Buffer {
    return this.#buffer;
  }

  /**
   * Add `data`. Returns the header and the bytes after it once the whole header arrived,
   * else `null`. The signature and the fixed part are checked as soon as their bytes arrive.
   *
   * @throws InvalidProxyHeader (or a subclass) when the header is malformed or too long.
   */
  feed(data: Buffer): ProxyHeaderResult | null {
    const buffer = this.#buffer.length === 0 ? data : Buffer.concat([this.#buffer, data]);
    const seen = Math.min(buffer.length, V2_SIGNATURE.length);
    if (!buffer.subarray(0, seen).equals(V2_SIGNATURE.subarray(0, seen)))
      throw new InvalidProxyHeader("Invalid PROXY v2 signature");
    if (buffer.length >= FIXED) {
      V2Parser.#checkFixed(buffer);
      const length = buffer.readUInt16BE(14);
      if (length > this.#maxLength)
        throw new InvalidProxyHeader(
          `PROXY v2 header declares ${length} bytes, more than the limit of ${this.#maxLength}`,
        );
      const end = FIXED + length;
      if (buffer.length >= end) {
        this.#buffer = Buffer.alloc(0);
        return { info: V2Parser.parse(buffer.subarray(0, end)), rest: buffer.subarray(end) };
      }
    }
    this.#buffer = Buffer.from(buffer);
    return null;
  }

  static #checkFixed(header: Buffer): void {
    const versionCommand = header[12] as number;
    if (versionCommand >> 4 !== 2) throw new InvalidProxyHeader("Unsupported PROXY header version");
    if ((versionCommand & 0x0f) > 1) throw new InvalidProxyHeader("Invalid PROXY v2 command");
    const familyProtocol = header[13] as number;
    if (familyProtocol >> 4 > 3) throw new InvalidProxyHeader("Invalid PROXY v2 address family");
    if ((familyProtocol & 0x0f) > 2)
      throw new InvalidProxyHeader("Invalid PROXY v2 transport protocol");
  }

  /**
   * Parse one whole header (Twisted's `V2Parser.parse`): exactly 16 bytes plus its declared
   * length. TLVs after the addresses are skipped.
   *
   * @throws InvalidProxyHeader or MissingAddressData.
   */
  static parse(header: Buffer): ProxyInfo {
    if (header.length < FIXED || !header.subarray(0, 12).equals(V2_SIGNATURE))
      throw new InvalidProxyHeader("Invalid PROXY v2 signature");
    V2Parser.#checkFixed(header);
    const length = header.readUInt16BE(14);
    if (header.length !== FIXED + length)
      throw new InvalidProxyHeader(
        `PROXY v2 header is ${header.length} bytes but declares ${FIXED + length}`,
      );
    const copy = Buffer.from(header);
    const none: ProxyInfo = { header: copy, version: 2, source: null, destination: null };
    const command = (header[12] as number) & 0x0f;
    const family = (header[13] as number) >> 4;
    const protocol = (header[13] as number) & 0x0f;
    // LOCAL (health checks from the proxy itself), UNSPEC and DGRAM (meaningless on a stream
    // connection): the socket's own addresses stand, as the specification asks.
    if (command === 0 || family === 0 || protocol !== 1) return none;
    const need = ADDRESS_LENGTH[family] as number;
    if (length < need)
      throw new MissingAddressData(
        `PROXY v2 header declares ${length} bytes, too few for its addresses (${need})`,
      );
    const body = header.subarray(FIXED);
    let source: IAddress;
    let destination: IAddress;
    if (family === 1) {
      const ip = (at: number) => `${body[at]}.${body[at + 1]}.${body[at + 2]}.${body[at + 3]}`;
      source = new IPv4Address("TCP", ip(0), body.readUInt16BE(8));
      destination = new IPv4Address("TCP", ip(4), body.readUInt16BE(10));
    } else if (family === 2) {
      source = new IPv6Address("TCP", ipv6Text(body.subarray(0, 16)), body.readUInt16BE(32));
      destination = new IPv6Address("TCP", ipv6Text(body.subarray(16, 32)), body.readUInt16BE(34));
    } else {
      source = new UNIXAddress(unixPath(body.subarray(0, 108)));
      destination = new UNIXAddress(unixPath(body.subarray(108, 216)));
    }
    return { header: copy, version: 2, source, destination };
  }
}
