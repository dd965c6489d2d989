/**
 * The PROXY protocol version 1 (text) header: `PROXY TCP4 1.2.3.4 5.6.7.8 5555 80\r\n`, at most
 * 107 bytes with its CRLF (Twisted's `_v1parser.V1Parser`).
 *
 * @module
 */
import { isIPv4, isIPv6 } from "node:net";
import { IPv4Address, IPv6Address } from "../transport/address.ts";
import { InvalidNetworkProtocol, InvalidProxyHeader, MissingAddressData } from "./errors.ts";
import type { ProxyHeaderResult, ProxyInfo } from "./info.ts";

/** The longest v1 header, CRLF included (the specification's 107 bytes). */
export const V1_MAX_LENGTH = 107;

const PREFIX = Buffer.from("PROXY ", "latin1");
const CRLF = Buffer.from("\r\n", "latin1");

function toPort(text: string): number {
  // The specification's ports are plain decimal, 0-65535, no sign and no leading zeros.
  if (!/^(0|[1-9][0-9]{0,4})$/.test(text) || Number(text) > 65535)
    throw new MissingAddressData(`Invalid port '${text}' in PROXY header`);
  return Number(text);
}

/**
 * Decodes one v1 header from bytes fed in any chunking. The header ends at the first CRLF; a
 * header that has no CRLF within {@link V1_MAX_LENGTH} bytes is refused.
 */
export class V1Parser {
  #buffer: Buffer = Buffer.alloc(0);

  /** The bytes fed so far that are not yet a whole header. */
  get buffer(): Buffer {
    return this.#buffer;
  }

  /**
   * Add `data`. Returns the header and the bytes after it once the CRLF arrived, else `null`.
   *
   * @throws InvalidProxyHeader (or a subclass) when the header is malformed or too long.
   */
  feed(data: Buffer): ProxyHeaderResult | null {
    const buffer = this.#buffer.length === 0 ? data : Buffer.concat([this.#buffer, data]);
    const end = buffer.indexOf(CRLF);
    if (end === -1) {
      // A lone CR as the 107th byte could still be the header's end.
      const limit = buffer[buffer.length - 1] === 0x0d ? V1_MAX_LENGTH : V1_MAX_LENGTH - 1;
      if (buffer.length >= limit) throw new InvalidProxyHeader("PROXY v1 header too long");
      this.#buffer = Buffer.from(buffer);
      return null;
    }
    if (end + 2 > V1_MAX_LENGTH) throw new InvalidProxyHeader("PROXY v1 header too long");
    this.#buffer = Buffer.alloc(0);
    const info = V1Parser.parse(buffer.subarray(0, end), buffer.subarray(0, end + 2));
    return { info, rest: buffer.subarray(end + 2) };
  }

  /**
   * Parse one header line without its CRLF (Twisted's `V1Parser.parse`).
   *
   * @param line The line, e.g. `PROXY TCP4 127.0.0.1 127.0.0.1 8080 8888`.
   * @param header The bytes to record as {@link ProxyInfo.header}; default `line`.
   * @throws InvalidProxyHeader, InvalidNetworkProtocol or MissingAddressData.
   */
  static parse(line: Buffer, header: Buffer = line): ProxyInfo {
    if (line.length < PREFIX.length || !line.subarray(0, PREFIX.length).equals(PREFIX))
      throw new InvalidProxyHeader("Missing PROXY header prefix");
    const fields = line.toString("latin1").split(" ");
    const protocol = fields[1] ?? "";
    const copy = Buffer.from(header);
    if (protocol === "UNKNOWN")
      return { header: copy, version: 1, source: null, destination: null };
    if (protocol !== "TCP4" && protocol !== "TCP6")
      throw new InvalidNetworkProtocol(`Unknown network protocol '${protocol}' in PROXY header`);
    const [srcHost, dstHost, srcPort, dstPort, ...extra] = fields.slice(2);
    if (srcHost === undefined || dstHost === undefined || srcHost === "" || dstHost === "")
      throw new MissingAddressData("PROXY header has no source or destination address");
    if (srcPort === undefined || dstPort === undefined || srcPort === "" || dstPort === "")
      throw new MissingAddressData("PROXY header has no source or destination port");
    if (extra.length > 0) throw new InvalidProxyHeader("Extra fields after the PROXY header ports");
    const valid = protocol === "TCP4" ? isIPv4 : isIPv6;
    for (const host of [srcHost, dstHost]) {
      if (!valid(host)) throw new MissingAddressData(`Invalid ${protocol} address '${host}'`);
    }
    const make =
      protocol === "TCP4"
        ? (host: string, port: number) => new IPv4Address("TCP", host, port)
        : (host: string, port: number) => new IPv6Address("TCP", host, port);
    return {
      header: copy,
      version: 1,
      source: make(srcHost, toPort(srcPort)),
      destination: make(dstHost, toPort(dstPort)),
    };
  }
}
