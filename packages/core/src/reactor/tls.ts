import * as tls from "node:tls";
import type { Deferred } from "../deferred/deferred.ts";
import type {
  ConnectTCPOptions,
  IProtocolFactory,
  ListenTCPOptions,
  TLSOptions,
} from "../interfaces.ts";
import { addressFor } from "../transport/address.ts";
import { type ConnectorReactor, StreamConnector } from "../transport/connector.ts";
import { type ShutdownHooks, StreamPort } from "../transport/port.ts";
import { clientTLSOptions, tlsConnectError } from "../transport/tls.ts";
import { bindOptions, DEFAULT_CONNECT_TIMEOUT, ipPortConfig, tcpPeer } from "./tcp.ts";

/**
 * Listen for TLS connections: as {@link listenTCP}, with `contextFactory` holding at least
 * `key` and `cert` (PEM). A client whose handshake fails never reaches the factory.
 *
 * @returns A Deferred that fires with the port, or fails with `CannotListenError`.
 */
export function listenSSL(
  reactor: ShutdownHooks,
  port: number,
  factory: IProtocolFactory,
  contextFactory: TLSOptions,
  options: ListenTCPOptions = {},
): Deferred<StreamPort> {
  const server = tls.createServer({ ...(contextFactory as tls.TlsOptions), allowHalfOpen: true });
  // A client that fails its handshake is closed by Node; nothing for a protocol to hear.
  server.on("tlsClientError", ignore);
  const config = ipPortConfig(server, "secureConnection", "TLS", port, options);
  return new StreamPort(config, factory, reactor).start();
}

/**
 * Connect over TLS to `host:port`. The server's certificate is verified against
 * `contextFactory.ca` (default: Node's root certificates) and its host name against `host`
 * (or `contextFactory.servername`), unless `rejectUnauthorized` is `false`. A certificate that
 * does not verify fails the attempt with `CertificateError` through `clientConnectionFailed`.
 * The timeout covers the TCP connection and the handshake.
 *
 * @returns The connector, already connecting.
 */
export function connectSSL(
  reactor: ConnectorReactor,
  host: string,
  port: number,
  factory: IProtocolFactory,
  contextFactory: TLSOptions,
  options: ConnectTCPOptions = {},
): StreamConnector {
  // tls.connect passes the socket options (allowHalfOpen, localAddress) on to net.Socket.
  const connectOptions: tls.ConnectionOptions & { allowHalfOpen?: boolean } = {
    ...clientTLSOptions(contextFactory, host),
    port,
    allowHalfOpen: true,
    ...bindOptions(options.bindAddress),
  };
  const connector = new StreamConnector(
    {
      open: () => tls.connect(connectOptions),
      connectEvent: "secureConnect",
      connectError: tlsConnectError,
      destination: addressFor("TCP", host, port),
      peerAddress: tcpPeer,
      timeout: options.timeout ?? DEFAULT_CONNECT_TIMEOUT,
    },
    factory,
    reactor,
  );
  connector.connect();
  return connector;
}

function ignore(): void {}
