/**
 * {@link NodeReactor}: the reactor with networking, on Node's event loop (`node:net`,
 * `node:dgram`, `node:tls`).
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import type {
  ConnectTCPOptions,
  ConnectUNIXOptions,
  IDatagramProtocol,
  IProtocolFactory,
  IReactor,
  ListenTCPOptions,
  ListenUDPOptions,
  ListenUNIXOptions,
  TLSOptions,
} from "../interfaces.ts";
import type { StreamConnector } from "../transport/connector.ts";
import type { StreamPort } from "../transport/port.ts";
import { ReactorBase } from "./base.ts";
import { connectTCP, listenTCP } from "./tcp.ts";
import { connectSSL, listenSSL } from "./tls.ts";
import { listenUDP, type UDPPort } from "./udp.ts";
import { connectUNIX, listenUNIX } from "./unix.ts";

/**
 * The reactor programs run on: {@link ReactorBase}'s time and lifecycle plus TCP, UNIX, UDP
 * and TLS. Binding is asynchronous in Node, so the `listen*` methods return a Deferred of the
 * port; `connect*` return a connector at once and report through the factory.
 *
 * Every port and connection registers its own `during shutdown` trigger while it is open, so
 * `stop()` stops listening, closes connections (their protocols see `ConnectionDone`) and
 * stops factories, without the reactor keeping a list of sockets.
 *
 * ```ts
 * import { Factory, Protocol, reactor } from "@torsion/core";
 * class Echo extends Protocol {
 *   override dataReceived(data: Buffer): void { this.transport.write(data); }
 * }
 * await reactor.listenTCP(8007, Factory.forProtocol(Echo));
 * await reactor.run();
 * ```
 */
export class NodeReactor extends ReactorBase implements IReactor {
  /**
   * Listen for TCP connections (`options.interface` default `""`, all IPv4; `backlog` 511).
   * Fires with the port, or fails with `CannotListenError`.
   */
  listenTCP(
    port: number,
    factory: IProtocolFactory,
    options?: ListenTCPOptions,
  ): Deferred<StreamPort> {
    return listenTCP(this, port, factory, options);
  }

  /** Connect over TCP (`options.timeout` default 30 s); results reach the `ClientFactory`'s callbacks. */
  connectTCP(
    host: string,
    port: number,
    factory: IProtocolFactory,
    options?: ConnectTCPOptions,
  ): StreamConnector {
    return connectTCP(this, host, port, factory, options);
  }

  /** Listen on a UNIX socket file. Fires with the port, or fails with `CannotListenError`. */
  listenUNIX(
    path: string,
    factory: IProtocolFactory,
    options?: ListenUNIXOptions,
  ): Deferred<StreamPort> {
    return listenUNIX(this, path, factory, options);
  }

  /** Connect to a UNIX socket file. */
  connectUNIX(
    path: string,
    factory: IProtocolFactory,
    options?: ConnectUNIXOptions,
  ): StreamConnector {
    return connectUNIX(this, path, factory, options);
  }

  /** Bind a UDP socket for `protocol`. Fires with the port, or fails with `CannotListenError`. */
  listenUDP(
    port: number,
    protocol: IDatagramProtocol,
    options?: ListenUDPOptions,
  ): Deferred<UDPPort> {
    return listenUDP(this, port, protocol, options);
  }

  /** Listen for TLS connections (`contextFactory` holds `key` and `cert`). */
  listenSSL(
    port: number,
    factory: IProtocolFactory,
    contextFactory: TLSOptions,
    options?: ListenTCPOptions,
  ): Deferred<StreamPort> {
    return listenSSL(this, port, factory, contextFactory, options);
  }

  /** Connect over TLS, verifying the server's certificate and host name unless told not to. */
  connectSSL(
    host: string,
    port: number,
    factory: IProtocolFactory,
    contextFactory: TLSOptions,
    options?: ConnectTCPOptions,
  ): StreamConnector {
    return connectSSL(this, host, port, factory, contextFactory, options);
  }
}
