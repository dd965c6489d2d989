/**
 * TCP for the Node reactor: {@link listenTCP} and {@link connectTCP} over `node:net`
 * (Twisted's `IReactorTCP`). The reactor's methods call these with itself.
 *
 * @module
 */
import * as net from "node:net";
import type { Deferred } from "../deferred/deferred.ts";
import type { ConnectTCPOptions, IProtocolFactory, ListenTCPOptions } from "../interfaces.ts";
import { cannotListen, fromSystemError } from "../system-errors.ts";
import { addressFor } from "../transport/address.ts";
import { type ConnectorReactor, StreamConnector } from "../transport/connector.ts";
import { type ShutdownHooks, StreamPort, type StreamPortConfig } from "../transport/port.ts";
import { createStreamServer } from "./transport-choice.ts";

/** The default listen backlog: 511, Node's and nginx's (Twisted's 50 overflows under connection bursts). */
export const DEFAULT_BACKLOG: number = 511;
/** Twisted's default connect timeout, in seconds. */
export const DEFAULT_CONNECT_TIMEOUT = 30;

/**
 * Listen for TCP connections on `port` (0 picks a free one) of `options.interface` (default
 * `""`: every IPv4 interface; `"::"` for IPv6), with a pending-connection queue of
 * `options.backlog` (default 511).
 *
 * @returns A Deferred that fires with the port once it is listening, or fails with
 *   `CannotListenError` ("Couldn't listen on 127.0.0.1:8007: Address already in use", Node's
 *   error as `cause`).
 */
export function listenTCP(
  reactor: ShutdownHooks,
  port: number,
  factory: IProtocolFactory,
  options: ListenTCPOptions = {},
): Deferred<StreamPort> {
  const server = createStreamServer(reactor);
  const config = ipPortConfig(server, "connection", "TCP", port, options);
  return new StreamPort(config, factory, reactor).start();
}

/**
 * Connect to `host:port` (a name or an address), reporting to the factory's `ClientFactory`
 * callbacks: `clientConnectionFailed` with `ConnectionRefusedError`, `DNSLookupError`,
 * `TimeoutError` (after `options.timeout` seconds, default 30), `ConnectBindError`, …
 *
 * @returns The connector, already connecting.
 */
export function connectTCP(
  reactor: ConnectorReactor,
  host: string,
  port: number,
  factory: IProtocolFactory,
  options: ConnectTCPOptions = {},
): StreamConnector {
  const connectOptions: net.TcpNetConnectOpts = {
    host,
    port,
    allowHalfOpen: true,
    ...bindOptions(options.bindAddress),
  };
  if (options.autoSelectFamily !== undefined)
    connectOptions.autoSelectFamily = options.autoSelectFamily;
  const connector = new StreamConnector(
    {
      open: () => net.connect(connectOptions),
      connectEvent: "connect",
      connectError: fromSystemError,
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
 * @internal The {@link StreamPortConfig} of a port on an IP address (TCP and TLS): listens on
 * `options.interface` (default `""`, every IPv4 interface) with `options.backlog` (default 511),
 * maps a listen error to `CannotListenError`.
 */
export function ipPortConfig(
  server: net.Server,
  connectionEvent: string,
  label: string,
  port: number,
  options: ListenTCPOptions,
): StreamPortConfig {
  const iface = options.interface ?? "";
  const backlog = options.backlog ?? DEFAULT_BACKLOG;
  return {
    server,
    connectionEvent,
    label,
    listen: (s) => s.listen({ port, host: iface === "" ? "0.0.0.0" : iface, backlog }),
    hostAddress: (s) => {
      const a = s.address() as net.AddressInfo;
      return addressFor("TCP", a.address, a.port, a.family);
    },
    peerAddress: tcpPeer,
    listenError: (err) => cannotListen(iface, port, err),
  };
}

/** @internal `bindAddress` (a host, or `[host, port]`; port 0 for any) as Node's socket options. */
export function bindOptions(bind: ConnectTCPOptions["bindAddress"]): {
  localAddress?: string;
  localPort?: number;
} {
  if (bind === undefined) return {};
  if (typeof bind === "string") return { localAddress: bind };
  return bind[1] ? { localAddress: bind[0], localPort: bind[1] } : { localAddress: bind[0] };
}

/** The part of Node's TCP handle that reports the peer's address. */
interface PeerNameHandle {
  getpeername?(out: { address?: string; port?: number; family?: string }): number;
}

/**
 * The remote address of a connected TCP socket. Asks the handle directly where it can:
 * `socket.remoteAddress` would keep a second copy of the address on every socket.
 */
export function tcpPeer(socket: net.Socket): ReturnType<typeof addressFor> {
  const handle = (socket as unknown as { _handle?: PeerNameHandle | null })._handle;
  if (typeof handle?.getpeername === "function") {
    const out: { address?: string; port?: number; family?: string } = {};
    if (handle.getpeername(out) === 0) return addressFor("TCP", out.address, out.port, out.family);
  }
  return addressFor("TCP", socket.remoteAddress, socket.remotePort, socket.remoteFamily);
}
