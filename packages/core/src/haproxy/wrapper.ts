/**
 * {@link HAProxyWrappingFactory}: reads a PROXY protocol header at the start of every connection
 * before the wrapped factory's protocol exists, after Twisted's
 * `twisted.protocols.haproxy.HAProxyWrappingFactory`.
 *
 * Unlike Twisted's wrapper, the wrapped protocol is built only once the header is in, with the
 * header's source address (so address-based factories and policies see the client, not the
 * balancer), and never for a connection whose header is missing, malformed, oversized or slow.
 *
 * @module
 */

import { isThenable } from "../deferred/thenable.ts";
import type { Failure } from "../failure.ts";
import type {
  IAddress,
  IDelayedCall,
  IProtocol,
  IProtocolFactory,
  IReactorTime,
  ITransport,
} from "../interfaces.ts";
import { Logger } from "../logger/logger.ts";
import { logPrefixOf } from "../logging-context.ts";
import { ForwardingTransport } from "../policies/forwarding-transport.ts";
import type { MaybeAsync } from "../protocol/contain.ts";
import { Factory } from "../protocol/factory.ts";
import { ProxyHeaderDecoder } from "./decoder.ts";
import { InvalidProxyHeader } from "./errors.ts";
import type { ProxyInfo } from "./info.ts";

const log = new Logger("torsion.haproxy");

/** Seconds a connection may take to send its whole PROXY header before it is dropped. */
export const DEFAULT_HEADER_TIMEOUT = 10;

/** Options of {@link HAProxyWrappingFactory}. */
export interface HAProxyWrappingFactoryOptions {
  /** Where the header timeout's time comes from: the reactor, or a `Clock` in tests. */
  clock: IReactorTime;
  /** Seconds to wait for the whole header; default {@link DEFAULT_HEADER_TIMEOUT}. `0` turns it off. */
  headerTimeout?: number;
  /** Largest v2 declared length accepted; default `V2_DEFAULT_MAX_LENGTH` (2048). */
  maxV2Length?: number;
}

function describe(address: IAddress): string {
  const a = address as { host?: string; port?: number; name?: string | null };
  if (a.host !== undefined)
    return a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
  return a.name ?? "unix";
}

/**
 * The protocol {@link HAProxyWrappingFactory} gives the transport (Twisted's
 * `HAProxyProtocolWrapper`). It is the transport of the wrapped protocol, whose `getPeer()` and
 * `getHost()` are the header's addresses (the socket's own for `LOCAL`/`UNKNOWN`).
 */
export class HAProxyProtocol extends ForwardingTransport {
  readonly #factory: HAProxyWrappingFactory;
  readonly #decoder: ProxyHeaderDecoder;
  #info: ProxyInfo | null = null;
  #wrapped: IProtocol | null = null;
  #timer: IDelayedCall | null = null;

  constructor(factory: HAProxyWrappingFactory) {
    super();
    this.#factory = factory;
    this.factory = factory;
    this.#decoder = new ProxyHeaderDecoder({ maxLength: factory.maxV2Length });
  }

  /** The decoded header, once it arrived. */
  get proxyInfo(): ProxyInfo | null {
    return this.#info;
  }

  /** The wrapped factory's protocol, once the header arrived and it was built. */
  get wrappedProtocol(): IProtocol | null {
    return this.#wrapped;
  }

  /** The wrapped protocol's prefix and the client from the header: `"Echo (PROXY 127.0.0.2:5555)"`. */
  override logPrefix(): string {
    const w = this.#wrapped;
    if (w === null) return "HAProxyProtocol";
    const inner = logPrefixOf(w);
    const source = this.#info?.source;
    return source ? `${inner} (PROXY ${describe(source)})` : `${inner} (PROXY)`;
  }

  override makeConnection(transport: ITransport): void {
    super.makeConnection(transport);
    const timeout = this.#factory.headerTimeout;
    if (timeout > 0) {
      this.#timer = this.#factory.clock.callLater(timeout, () => {
        this.#timer = null;
        this.#refuse(`no complete PROXY header within ${timeout} s`);
      });
    }
  }

  override dataReceived(data: Buffer): MaybeAsync {
    // The wrapped protocol's result goes back to the transport, which contains a rejection.
    const wrapped = this.#wrapped;
    if (wrapped !== null) return wrapped.dataReceived(data);
    if (this.#info !== null || this.disconnecting) return undefined;
    let result: ReturnType<ProxyHeaderDecoder["feed"]>;
    try {
      result = this.#decoder.feed(data);
    } catch (e) {
      if (!(e instanceof InvalidProxyHeader)) throw e;
      this.#refuse(e.message);
      return undefined;
    }
    if (result === null) return undefined;
    this.#cancelTimer();
    this.#info = result.info;
    const built = this.#factory.wrappedFactory.buildProtocol(this.getPeer());
    if (built === null || built === undefined) {
      log.info("Connection from {peer} refused by {factory}", {
        peer: describe(this.getPeer()),
        factory: this.#factory.logPrefix(),
        log_system: this.#systemPrefix(),
      });
      this.loseConnection();
      return undefined;
    }
    this.#wrapped = built;
    this.#factory.registerProtocol(this);
    const made = built.makeConnection(this);
    const fed =
      result.rest.length > 0 && !this.disconnecting ? built.dataReceived(result.rest) : undefined;
    // Both go back to the transport, so an async connectionMade or dataReceived that rejects
    // aborts this connection as it would without the header.
    if (!isThenable(made) && !isThenable(fed)) return undefined;
    return Promise.all([made, fed]).then(() => undefined);
  }

  override connectionLost(reason: Failure): MaybeAsync {
    this.connected = false;
    this.#cancelTimer();
    const wrapped = this.#wrapped;
    if (wrapped === null) return undefined;
    this.#factory.unregisterProtocol(this);
    return wrapped.connectionLost(reason);
  }

  #cancelTimer(): void {
    if (this.#timer?.active()) this.#timer.cancel();
    this.#timer = null;
  }

  #systemPrefix(): string {
    return logPrefixOf(this.transport, "HAProxyProtocol");
  }

  #refuse(why: string): void {
    this.#cancelTimer();
    if (this.disconnecting) return;
    log.warn("Dropping connection from {peer}: {reason}", {
      peer: describe(this.transport.getPeer()),
      reason: why,
      log_system: this.#systemPrefix(),
    });
    this.loseConnection();
  }

  // --- transport side: the rest is ForwardingTransport's -------------------------------------

  /** The header's source address; the socket's peer before the header or for `LOCAL`/`UNKNOWN`. */
  override getPeer(): IAddress {
    return this.#info?.source ?? this.transport.getPeer();
  }

  /** The header's destination address; the socket's host before the header or for `LOCAL`/`UNKNOWN`. */
  override getHost(): IAddress {
    return this.#info?.destination ?? this.transport.getHost();
  }
}

/**
 * Wraps a server factory so that every connection must start with a PROXY protocol header (v1
 * or v2, detected per connection). The wrapped factory builds its protocol only once the header
 * arrived, with the client's address from the header; the bytes after the header reach that
 * protocol unchanged. A connection whose header is missing, malformed, oversized or not
 * complete within {@link HAProxyWrappingFactoryOptions.headerTimeout} seconds is closed with a
 * logged reason.
 *
 * ```ts
 * await serverEndpoint.listen(new HAProxyWrappingFactory(echoFactory, { clock: reactor }));
 * ```
 */
export class HAProxyWrappingFactory extends Factory {
  /** The factory whose protocols receive the connections. */
  readonly wrappedFactory: IProtocolFactory;
  /** The header timeout's clock. */
  readonly clock: IReactorTime;
  /** Seconds allowed for the header (0: no limit). */
  readonly headerTimeout: number;
  /** Largest v2 declared length accepted, if not the default. */
  readonly maxV2Length: number | undefined;
  /** The connections whose header arrived and whose protocol is connected. */
  readonly protocols: Set<HAProxyProtocol> = new Set();

  constructor(wrappedFactory: IProtocolFactory, options: HAProxyWrappingFactoryOptions) {
    super();
    this.wrappedFactory = wrappedFactory;
    this.clock = options.clock;
    this.headerTimeout = options.headerTimeout ?? DEFAULT_HEADER_TIMEOUT;
    this.maxV2Length = options.maxV2Length;
    this.noisy = false;
  }

  /** The wrapped factory's prefix, then this class. */
  override logPrefix(): string {
    const inner = this.wrappedFactory as { logPrefix?: () => string };
    const name =
      typeof inner.logPrefix === "function"
        ? inner.logPrefix()
        : this.wrappedFactory.constructor.name;
    return `${name} (HAProxyWrappingFactory)`;
  }

  override doStart(): void {
    this.wrappedFactory.doStart();
    super.doStart();
  }

  override doStop(): void {
    this.wrappedFactory.doStop();
    super.doStop();
  }

  /** A header-reading protocol; the wrapped factory is asked later, once the header is in. */
  override buildProtocol(_addr: IAddress): HAProxyProtocol {
    return new HAProxyProtocol(this);
  }

  /** Called by a connection once its wrapped protocol was built. */
  registerProtocol(p: HAProxyProtocol): void {
    this.protocols.add(p);
  }

  /** Called by a connection whose wrapped protocol was built, when it is lost. */
  unregisterProtocol(p: HAProxyProtocol): void {
    this.protocols.delete(p);
  }
}
