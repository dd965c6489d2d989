/**
 * `@torsion/core/endpoints`: the kit for packages that add endpoint types or transports, or
 * drive the reactor's network facets directly. A program that only uses endpoints needs the root
 * (`serverFromString`, `clientFromString`, the endpoint classes).
 *
 * - The parser registry: {@link registerServerEndpointParser}, {@link registerClientEndpointParser},
 *   and the parser signatures; {@link parseDescription} and {@link quoteStringArgument}.
 * - Argument converters for parsers: {@link bindArguments}, {@link toPort}, {@link toMode}, …
 * - The reactor facets an endpoint calls (`IReactorTCP`, `IReactorUNIX`, `IReactorUDP`,
 *   `IReactorSSL`, `IReactorSocket`) with their option types, and the endpoint classes' options.
 * - Transports: {@link useTransport}, {@link transportOf} (which transport listening ports use).
 * - Helpers: {@link clientFromArgument} (a CLI's `host:port` argument), {@link isClientFactory},
 *   {@link addressFor}, the addresses of non-network transports ({@link PipeAddress},
 *   `ProcessAddress`), the TLS file loaders and systemd's {@link ListenFDs}.
 *
 * ```ts
 * import { TCP4ServerEndpoint } from "@torsion/core";
 * import { registerServerEndpointParser, toPort } from "@torsion/core/endpoints";
 * registerServerEndpointParser("loopback", (reactor, args) =>
 *   new TCP4ServerEndpoint(reactor, toPort(args[0]), { interface: "127.0.0.1" }),
 * );
 * ```
 *
 * @module
 */

export {
  bindArguments,
  required,
  toFlag,
  toInteger,
  toMode,
  toPort,
  toSeconds,
} from "./endpoints/arguments.ts";
export { clientFromArgument } from "./endpoints/command-line.ts";
export type { IResultProtocol } from "./endpoints/connect.ts";
export type { ParsedDescription } from "./endpoints/parse.ts";
export { parseDescription } from "./endpoints/parse.ts";
export { quoteStringArgument } from "./endpoints/quote.ts";
export type {
  ClientEndpointParser,
  EndpointKeywords,
  EndpointReactor,
  NestedDescriptions,
  ServerEndpointParser,
} from "./endpoints/registry.ts";
export {
  registerClientEndpointParser,
  registerServerEndpointParser,
} from "./endpoints/registry.ts";
export { ListenFDs } from "./endpoints/systemd.ts";
export type {
  TCP6ClientEndpointOptions,
  TCPClientEndpointOptions,
  TCPServerEndpointOptions,
} from "./endpoints/tcp.ts";
export type { TLSOptionsSource } from "./endpoints/tls.ts";
export type { ClientTLSFiles, ServerTLSFiles } from "./endpoints/tls-files.ts";
export { loadClientTLSFiles, loadServerTLSFiles } from "./endpoints/tls-files.ts";
export type { UNIXClientEndpointOptions, UNIXServerEndpointOptions } from "./endpoints/unix.ts";
export { AlreadyListened, EndpointDescriptionError, NoProtocol } from "./errors.ts";
export type {
  AddressFamily,
  ConnectTCPOptions,
  ConnectUNIXOptions,
  IReactorSocket,
  IReactorSSL,
  IReactorTCP,
  IReactorUDP,
  IReactorUNIX,
  ITLSTransport,
  ListenTCPOptions,
  ListenUDPOptions,
  ListenUNIXOptions,
  SystemEvent,
  SystemEventPhase,
  TLSOptions,
} from "./interfaces.ts";
export { isClientFactory } from "./protocol/factory.ts";
export type { ReactorOptions } from "./reactor/default.ts";
export type { TransportChoice, TransportName } from "./reactor/transport-choice.ts";
export { transportOf, useTransport } from "./reactor/transport-choice.ts";
export type { ProcessAddress } from "./transport/address.ts";
export { addressFor, PipeAddress } from "./transport/address.ts";
