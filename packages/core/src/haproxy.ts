/**
 * `@torsion/core/haproxy`: the PROXY protocol (v1 and v2), after Twisted's
 * `twisted.protocols.haproxy`. Most programs need none of this: the `haproxy:` endpoint prefix
 * (`haproxy:tcp:8007:interface=127.0.0.1`) is built in and makes `getPeer()`/`getHost()` the
 * client's addresses. These are the pieces under it, for wrapping a factory by hand, decoding a
 * header from bytes, or writing one (chained proxies, tests).
 *
 * ```ts
 * import { IPv4Address } from "@torsion/core";
 * import { proxyHeaderV1 } from "@torsion/core/haproxy";
 * const header = proxyHeaderV1(
 *   new IPv4Address("TCP", "203.0.113.7", 40000),
 *   new IPv4Address("TCP", "127.0.0.1", 8007),
 * );
 * ```
 *
 * @module
 */

export type { ProxyHeaderDecoderOptions } from "./haproxy/decoder.ts";
export { ProxyHeaderDecoder } from "./haproxy/decoder.ts";
export { HAProxyServerEndpoint, haproxyServerParser } from "./haproxy/endpoint.ts";
export {
  InvalidNetworkProtocol,
  InvalidProxyHeader,
  MissingAddressData,
} from "./haproxy/errors.ts";
export { proxyHeaderV1, proxyHeaderV2 } from "./haproxy/header.ts";
export type { ProxyHeaderResult, ProxyInfo } from "./haproxy/info.ts";
export { V1_MAX_LENGTH, V1Parser } from "./haproxy/v1-parser.ts";
export type { V2ParserOptions } from "./haproxy/v2-parser.ts";
export { V2_DEFAULT_MAX_LENGTH, V2_SIGNATURE, V2Parser } from "./haproxy/v2-parser.ts";
export type { HAProxyWrappingFactoryOptions } from "./haproxy/wrapper.ts";
export {
  DEFAULT_HEADER_TIMEOUT,
  HAProxyProtocol,
  HAProxyWrappingFactory,
} from "./haproxy/wrapper.ts";
