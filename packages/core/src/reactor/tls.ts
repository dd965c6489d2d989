import type * as net from "node:net";
import * as tls from "node:tls";
import type { Deferred } from "../deferred/deferred.ts";
import type {
  ConnectTCPOptions,
  IProtocolFactory,
  ListenTCPOptions,
  TLSOptions,
} from "../interfaces.ts";
import { Logger } from "../logger/logger.ts";
import { addressFor } from "../transport/address.ts";
import { type ConnectorReactor, StreamConnector } from "../transport/connector.ts";
import { type ShutdownHooks, StreamPort } from "../transport/port.ts";
import { clientTLSOptions, tlsConnectError } from "../transport/tls.ts";
import { bindOptions, DEFAULT_CONNECT_TIMEOUT, ipPortConfig, tcpPeer } from "./tcp.ts";

const log = new Logger("torsion.tls");

/**
 * Listen for TLS connections: as {@link listenTCP}, with `contextFactory` holding at least
 * `key` and `cert` (PEM). A client whose handshake fails never reaches the factory; the
 * failure is logged at `info` with the peer and the reason. A client that has not completed
 * its handshake after {@link DEFAULT_TLS_HANDSHAKE_TIMEOUT} seconds (30; `handshakeTimeout`
 * in `contextFactory`, in milliseconds, changes it) is closed.
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
  const server = tls.createServer({
    handshakeTimeout: DEFAULT_TLS_HANDSHAKE_TIMEOUT * 1000,
    ...(contextFactory as tls.TlsOptions),
    allowHalfOpen: true,
  });
  // A client that fails its handshake (or never completes it) is closed by Node before any
  // protocol exists: log it, at info (any client can cause it).
  server.on("tlsClientError", handshakeFailed);
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

/**
 * Seconds a TLS server connection has to complete its handshake (a client that never sends a
 * ClientHello is closed after this); `handshakeTimeout` in the TLS options (milliseconds, as
 * `node:tls`) or `handshakeTimeout=` (seconds) in an `ssl:` endpoint string changes it.
 */
export const DEFAULT_TLS_HANDSHAKE_TIMEOUT = 30;

function handshakeFailed(error: Error & { code?: string }, socket: tls.TLSSocket): void {
  const peer = peerOf(socket);
  const reason = error.code === "ERR_TLS_HANDSHAKE_TIMEOUT" ? "handshake timed out" : error.message;
  log.info("TLS handshake with {peer} failed: {reason}", {
    peer,
    reason: reason.split("\n")[0],
    code: error.code,
  });
  // Node closes a socket whose handshake failed, but not one whose handshake timed out once
  // `tlsClientError` has a listener.
  socket.destroy();
}

function peerOf(socket: tls.TLSSocket): string {
  const raw = (socket as { _parent?: net.Socket | null })._parent;
  const s = raw ?? socket;
  const address = s.remoteAddress;
  if (address === undefined) return "?";
  return address.includes(":") ? `[${address}]:${s.remotePort}` : `${address}:${s.remotePort}`;
}
