/**
 * TCP server and client endpoints, after `twisted.internet.endpoints`.
 *
 * @module
 */

import { lookup } from "node:dns/promises";
import { isIP, isIPv6 } from "node:net";
import { Deferred } from "../deferred/deferred.ts";
import { ConnectingCancelledError, DNSLookupError } from "../errors.ts";
import { Failure } from "../failure.ts";
import type {
  ConnectTCPOptions,
  IListeningPort,
  IProtocol,
  IProtocolFactory,
  IReactorTCP,
  IStreamClientEndpoint,
  IStreamServerEndpoint,
} from "../interfaces.ts";
import { DEFAULT_BACKLOG } from "../reactor/tcp.ts";
import { attempt } from "./attempt.ts";
import { WrappingFactory } from "./wrapping-factory.ts";

/** Options of the TCP server endpoints. */
export interface TCPServerEndpointOptions {
  /** Pending-connection queue length; default 50. */
  backlog?: number;
  /** The address to bind; default `""` (all IPv4 interfaces) for TCP4, `"::"` for TCP6. */
  interface?: string;
}

/** Options of the TCP client endpoints. */
export interface TCPClientEndpointOptions {
  /** Seconds to wait for the connection before failing with `TimeoutError`; default 30. */
  timeout?: number;
  /** Local host, or `[host, port]`, to bind before connecting. */
  bindAddress?: string | readonly [string, number];
}

/** Listens on a TCP port through the reactor's `listenTCP`. */
class TCPServerEndpoint implements IStreamServerEndpoint {
  readonly reactor: IReactorTCP;
  readonly port: number;
  readonly backlog: number;
  readonly interface: string;

  constructor(
    reactor: IReactorTCP,
    port: number,
    options: TCPServerEndpointOptions,
    defaultInterface: string,
  ) {
    this.reactor = reactor;
    this.port = port;
    this.backlog = options.backlog ?? DEFAULT_BACKLOG;
    this.interface = options.interface ?? defaultInterface;
  }

  /**
   * Listen with `factory`. Fires with the listening port, or fails with `CannotListenError`
   * ("Couldn't listen on 127.0.0.1:8007: Address already in use"). Never throws.
   */
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return attempt(() =>
      this.reactor.listenTCP(this.port, factory, {
        backlog: this.backlog,
        interface: this.interface,
      }),
    );
  }
}

/**
 * A TCP server endpoint on IPv4 (Twisted's `TCP4ServerEndpoint`): `interface` defaults to `""`,
 * all IPv4 interfaces. Port 0 picks a free port; read it from `port.getHost().port`.
 */
export class TCP4ServerEndpoint extends TCPServerEndpoint {
  constructor(reactor: IReactorTCP, port: number, options: TCPServerEndpointOptions = {}) {
    super(reactor, port, options, "");
  }
}

/** A TCP server endpoint on IPv6 (Twisted's `TCP6ServerEndpoint`): `interface` defaults to `"::"`. */
export class TCP6ServerEndpoint extends TCPServerEndpoint {
  constructor(reactor: IReactorTCP, port: number, options: TCPServerEndpointOptions = {}) {
    super(reactor, port, options, "::");
  }
}

/** Connect through `connectTCP` with a {@link WrappingFactory}; shared by the TCP client endpoints. */
export function connectWrapped(
  reactor: IReactorTCP,
  host: string,
  port: number,
  factory: IProtocolFactory,
  options: ConnectTCPOptions,
): Deferred<IProtocol> {
  return attempt(() => {
    const wf = new WrappingFactory(factory);
    wf.connector = reactor.connectTCP(host, port, wf, options);
    return wf.onConnection;
  });
}

/** The options object passed on to the reactor: only the keys that were given. */
export function connectOptions(
  timeout: number,
  bindAddress: TCPClientEndpointOptions["bindAddress"],
): ConnectTCPOptions {
  return bindAddress === undefined ? { timeout } : { timeout, bindAddress };
}

/**
 * @internal What the TCP client endpoints share: where to connect, the timeout and the local
 * address to bind.
 */
export abstract class TCPClientEndpointBase implements IStreamClientEndpoint {
  readonly reactor: IReactorTCP;
  readonly host: string;
  readonly port: number;
  readonly timeout: number;
  readonly bindAddress: string | readonly [string, number] | undefined;

  constructor(
    reactor: IReactorTCP,
    host: string,
    port: number,
    options: TCPClientEndpointOptions = {},
  ) {
    this.reactor = reactor;
    this.host = host;
    this.port = port;
    this.timeout = options.timeout ?? 30;
    this.bindAddress = options.bindAddress;
  }

  abstract connect(factory: IProtocolFactory): Deferred<IProtocol>;
}

/**
 * A TCP client endpoint (Twisted's `TCP4ClientEndpoint`). `host` may be an IPv4 address or a
 * name, resolved by the reactor.
 */
export class TCP4ClientEndpoint extends TCPClientEndpointBase {
  /**
   * Connect with `factory`. Fires with the protocol `factory` built, once its `connectionMade`
   * ran; fails with `ConnectionRefusedError`, `TimeoutError`, `DNSLookupError` (or another
   * `ConnectError`), with what `buildProtocol` threw, or with `NoProtocol` when it returned
   * `null`. Cancelling the Deferred stops the attempt and fails it with
   * `ConnectingCancelledError`. Never throws.
   */
  override connect(factory: IProtocolFactory): Deferred<IProtocol> {
    return connectWrapped(
      this.reactor,
      this.host,
      this.port,
      factory,
      connectOptions(this.timeout, this.bindAddress),
    );
  }
}

/** Options of {@link TCP6ClientEndpoint}. */
export interface TCP6ClientEndpointOptions extends TCPClientEndpointOptions {
  /** Resolve a name to one IPv6 address; default `node:dns` `lookup(host, { family: 6 })`. */
  resolve?: (host: string) => PromiseLike<string>;
}

async function lookupIPv6(host: string): Promise<string> {
  return (await lookup(host, { family: 6 })).address;
}

/**
 * A TCP client endpoint on IPv6 (Twisted's `TCP6ClientEndpoint`): an IPv6 literal is used as
 * is; a name is first resolved to its IPv6 address (failing with `DNSLookupError` if it has
 * none). Same results and cancellation as {@link TCP4ClientEndpoint}.
 */
export class TCP6ClientEndpoint extends TCPClientEndpointBase {
  readonly #resolve: (host: string) => PromiseLike<string>;

  constructor(
    reactor: IReactorTCP,
    host: string,
    port: number,
    options: TCP6ClientEndpointOptions = {},
  ) {
    super(reactor, host, port, options);
    this.#resolve = options.resolve ?? lookupIPv6;
  }

  /** As {@link TCP4ClientEndpoint.connect}, after resolving a name to an IPv6 address. */
  override connect(factory: IProtocolFactory): Deferred<IProtocol> {
    const options = connectOptions(this.timeout, this.bindAddress);
    if (isIPv6(this.host))
      return connectWrapped(this.reactor, this.host, this.port, factory, options);
    return attempt(() => {
      let inner: Deferred<IProtocol> | undefined;
      let cancelled = false;
      const outer = new Deferred<IProtocol>(() => {
        if (inner !== undefined) {
          inner.cancel();
          return;
        }
        cancelled = true;
        outer.errback(new Failure(new ConnectingCancelledError([this.host, this.port])));
      });
      this.#resolve(this.host).then(
        (address) => {
          if (cancelled) return;
          if (isIP(address) !== 6) {
            outer.errback(
              new Failure(new DNSLookupError(`Couldn't find an IPv6 address for '${this.host}'`)),
            );
            return;
          }
          inner = connectWrapped(this.reactor, address, this.port, factory, options);
          inner.addCallback((p: IProtocol) => {
            outer.callback(p);
          });
          inner.addErrback((f: Failure) => {
            outer.errback(f);
          });
        },
        (err: unknown) => {
          if (cancelled) return;
          outer.errback(
            new Failure(
              new DNSLookupError(`Couldn't find an IPv6 address for '${this.host}'`, {
                cause: err,
              }),
            ),
          );
        },
      );
      return outer;
    });
  }
}
