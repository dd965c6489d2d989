/**
 * TLS endpoints over the reactor's `listenSSL`/`connectSSL`, after Twisted's
 * `SSL4ServerEndpoint`/`SSL4ClientEndpoint`, and {@link wrapClientTLS} for TLS over any
 * client endpoint whose transport can `startTLS`.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import { CannotListenError, ConnectError } from "../errors.ts";
import type {
  IListeningPort,
  IProtocol,
  IProtocolFactory,
  IReactorSSL,
  IStreamClientEndpoint,
  IStreamServerEndpoint,
  ITLSTransport,
  ITransport,
  TLSOptions,
} from "../interfaces.ts";
import { Factory } from "../protocol/factory.ts";
import { DEFAULT_BACKLOG } from "../reactor/tcp.ts";
import { attempt } from "./attempt.ts";
import {
  connectOptions,
  type TCPClientEndpointOptions,
  type TCPServerEndpointOptions,
} from "./tcp.ts";
import { WrappingFactory } from "./wrapping-factory.ts";

/**
 * TLS settings, or a function that makes them when the endpoint is used (so that key and
 * certificate files are read at `listen`/`connect` time; what it throws fails the Deferred).
 */
export type TLSOptionsSource = TLSOptions | (() => TLSOptions);

function resolveOptions(source: TLSOptionsSource): TLSOptions {
  return typeof source === "function" ? source() : source;
}

function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A TLS server endpoint on IPv4 (Twisted's `SSL4ServerEndpoint`); `interface` defaults to `""`. */
export class SSL4ServerEndpoint implements IStreamServerEndpoint {
  readonly reactor: IReactorSSL;
  readonly port: number;
  readonly tlsOptions: TLSOptionsSource;
  readonly backlog: number;
  readonly interface: string;

  constructor(
    reactor: IReactorSSL,
    port: number,
    tlsOptions: TLSOptionsSource,
    options: TCPServerEndpointOptions = {},
  ) {
    this.reactor = reactor;
    this.port = port;
    this.tlsOptions = tlsOptions;
    this.backlog = options.backlog ?? DEFAULT_BACKLOG;
    this.interface = options.interface ?? "";
  }

  /**
   * Listen with `factory`. Fires with the port; fails with `CannotListenError`, including when
   * the TLS settings cannot be made ("Couldn't listen on 443: can't read the privateKey file
   * 'key.pem': no such file"). Never throws.
   */
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return attempt(() => {
      let tls: TLSOptions;
      try {
        tls = resolveOptions(this.tlsOptions);
      } catch (e) {
        throw new CannotListenError(this.interface, this.port, reasonOf(e), { cause: e });
      }
      return this.reactor.listenSSL(this.port, factory, tls, {
        backlog: this.backlog,
        interface: this.interface,
      });
    });
  }
}

/**
 * A TLS client endpoint (Twisted's `SSL4ClientEndpoint`). The reactor verifies the server's
 * certificate and host name unless `tlsOptions` says otherwise.
 */
export class SSL4ClientEndpoint implements IStreamClientEndpoint {
  readonly reactor: IReactorSSL;
  readonly host: string;
  readonly port: number;
  readonly tlsOptions: TLSOptionsSource;
  readonly timeout: number;
  readonly bindAddress: string | readonly [string, number] | undefined;

  constructor(
    reactor: IReactorSSL,
    host: string,
    port: number,
    tlsOptions: TLSOptionsSource,
    options: TCPClientEndpointOptions = {},
  ) {
    this.reactor = reactor;
    this.host = host;
    this.port = port;
    this.tlsOptions = tlsOptions;
    this.timeout = options.timeout ?? 30;
    this.bindAddress = options.bindAddress;
  }

  /**
   * Connect with `factory`. Fires with the connected protocol; fails as
   * `TCP4ClientEndpoint.connect` does, with `CertificateError` when the server's certificate
   * or host name does not verify (the Node reactor fires only after the handshake), or with
   * `ConnectError` when the TLS settings cannot be made (a missing certificate file). Never
   * throws.
   */
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    return attempt(() => {
      let tls: TLSOptions;
      try {
        tls = resolveOptions(this.tlsOptions);
      } catch (e) {
        throw new ConnectError(`Couldn't connect to ${this.host}:${this.port}: ${reasonOf(e)}`, {
          cause: e,
        });
      }
      const wf = new WrappingFactory(factory);
      wf.connector = this.reactor.connectSSL(
        this.host,
        this.port,
        wf,
        tls,
        connectOptions(this.timeout, this.bindAddress),
      );
      return wf.onConnection;
    });
  }
}

/** Starts TLS on the transport before the wrapped protocol sees the connection. */
class StartTLSFactory extends Factory {
  readonly #wrapped: IProtocolFactory;
  readonly #tls: TLSOptions;

  constructor(wrapped: IProtocolFactory, tls: TLSOptions) {
    super();
    this.noisy = false;
    this.#wrapped = wrapped;
    this.#tls = tls;
  }

  override doStart(): void {
    this.#wrapped.doStart();
  }

  override doStop(): void {
    this.#wrapped.doStop();
  }

  override buildProtocol(addr: Parameters<IProtocolFactory["buildProtocol"]>[0]): IProtocol | null {
    const wrapped = this.#wrapped.buildProtocol(addr);
    if (wrapped === null) return null;
    const tls = this.#tls;
    return {
      wrappedProtocol: wrapped,
      makeConnection(transport: ITransport): void {
        const t = transport as Partial<ITLSTransport>;
        if (typeof t.startTLS !== "function") {
          throw new TypeError("wrapClientTLS needs a transport with startTLS (a TCP transport)");
        }
        t.startTLS(tls, false);
        wrapped.makeConnection(transport);
      },
      connectionMade(): void {},
      dataReceived: (data: Buffer) => wrapped.dataReceived(data),
      connectionLost: (reason) => wrapped.connectionLost(reason),
    } as IProtocol & { wrappedProtocol: IProtocol };
  }
}

/**
 * Wrap a client endpoint so that its connections switch to TLS as soon as they are made
 * (Twisted's `wrapClientTLS`), using the transport's `startTLS`. The Deferred of `connect`
 * fires with the protocol `factory` built, once the TCP connection is up; handshake and
 * verification errors reach that protocol's `connectionLost`.
 */
export function wrapClientTLS(
  tlsOptions: TLSOptionsSource,
  wrappedEndpoint: IStreamClientEndpoint,
): IStreamClientEndpoint {
  return {
    connect(factory: IProtocolFactory): Deferred<IProtocol> {
      return attempt(() => {
        let tls: TLSOptions;
        try {
          tls = resolveOptions(tlsOptions);
        } catch (e) {
          throw new ConnectError(`Couldn't connect: ${reasonOf(e)}`, { cause: e });
        }
        return wrappedEndpoint
          .connect(new StartTLSFactory(factory, tls))
          .addCallback(
            (p: IProtocol) => (p as IProtocol & { wrappedProtocol: IProtocol }).wrappedProtocol,
          );
      });
    },
  };
}
