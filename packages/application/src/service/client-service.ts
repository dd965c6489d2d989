/**
 * {@link ClientService} and {@link backoffPolicy}, after Twisted's `internet.ClientService`.
 *
 * @module
 */
import {
  CancelledError,
  Deferred,
  type Failure,
  fail,
  type IDelayedCall,
  type IProtocol,
  type IProtocolFactory,
  type IReactorTime,
  type IStreamClientEndpoint,
  type ITransport,
  Logger,
  logPrefixOf,
  type MaybeAsync,
  maybeDeferred,
  ProtocolWrapper,
  reactor,
  succeed,
  WrappingFactory,
} from "@torsion/core";
import { Service } from "./service.ts";

const log = new Logger("torsion.application.client");

/** Options of {@link backoffPolicy}; the defaults are Twisted's. */
export interface BackoffOptions {
  /** Seconds before the first retry (default 1). */
  initialDelay?: number;
  /** The longest wait, before jitter (default 60). */
  maxDelay?: number;
  /** How much longer each wait is than the one before (default 1.5). */
  factor?: number;
  /** Extra seconds added to each wait (default `Math.random`: between 0 and 1). */
  jitter?: () => number;
}

/**
 * An exponential backoff: given how many attempts failed in a row before this one (0 for the
 * first retry), the seconds to wait: `min(initialDelay * factor ** attempt, maxDelay) + jitter()`.
 * With the defaults: 1, 1.5, 2.25, 3.375 … capped at 60, each plus up to a second of jitter.
 */
export function backoffPolicy(options: BackoffOptions = {}): (attempt: number) => number {
  const { initialDelay = 1, maxDelay = 60, factor = 1.5, jitter = Math.random } = options;
  return (attempt) => {
    const delay = initialDelay * factor ** Math.min(100, Math.max(0, attempt));
    return (Number.isFinite(delay) ? Math.min(delay, maxDelay) : maxDelay) + jitter();
  };
}

/** Options of {@link ClientService}. */
export interface ClientServiceOptions {
  /** Seconds to wait before retry number `attempt` (0-based); default {@link backoffPolicy}(). */
  retryPolicy?: (attempt: number) => number;
  /** The clock retries are scheduled on; default the reactor. */
  clock?: IReactorTime;
  /**
   * Called with each new connection's protocol before `whenConnected` hears of it; if it
   * throws or its Deferred/promise fails, the connection is dropped and retried.
   */
  prepareConnection?: (protocol: IProtocol) => unknown;
}

/** Options of {@link ClientService.whenConnected}. */
export interface WhenConnectedOptions {
  /**
   * Fail after this many connection attempts fail in a row (1: the next failure). Default:
   * only when the service stops.
   */
  failAfterFailures?: number;
}

type State = "idle" | "connecting" | "waiting" | "connected" | "disconnecting" | "stopped";

interface Waiter {
  d: Deferred<IProtocol>;
  failAfterFailures: number | undefined;
}

/**
 * Keeps one client connection to `endpoint` open while running: connects as it starts,
 * and after a failed attempt or a lost connection waits (exponential backoff with jitter:
 * 1, 1.5, 2.25 … s capped at 60 s) and connects again.
 *
 * ```ts
 * const client = new ClientService(clientFromString(reactor, "tcp:host=example.com:port=7"), factory);
 * client.startService();
 * const proto = await client.whenConnected();
 * ```
 */
export class ClientService extends Service {
  readonly #endpoint: IStreamClientEndpoint;
  readonly #factory: IProtocolFactory;
  readonly #policy: (attempt: number) => number;
  readonly #clock: IReactorTime;
  readonly #prepare: ((protocol: IProtocol) => unknown) | undefined;
  #state: State = "idle";
  #failures = 0;
  #attempt: Deferred<IProtocol> | undefined;
  #retry: IDelayedCall | undefined;
  #current: IProtocol | undefined;
  #waiters: Waiter[] = [];
  #stopWaiters: Deferred<void>[] = [];

  constructor(
    endpoint: IStreamClientEndpoint,
    factory: IProtocolFactory,
    options: ClientServiceOptions = {},
  ) {
    super();
    this.#endpoint = endpoint;
    this.#factory = factory;
    this.#policy = options.retryPolicy ?? backoffPolicy();
    this.#clock = options.clock ?? reactor;
    this.#prepare = options.prepareConnection;
  }

  /**
   * The connected protocol now, or the next one to connect.
   *
   * @returns A Deferred that fires with the protocol; fails with {@link CancelledError} when the
   *   service stops (or has stopped), or with the last connection error (`ConnectionRefusedError`,
   *   `DNSLookupError`, …) once `failAfterFailures` attempts in a row failed.
   */
  whenConnected(options: WhenConnectedOptions = {}): Deferred<IProtocol> {
    if (this.#state === "connected" && this.#current !== undefined) return succeed(this.#current);
    if (this.#state === "stopped" || this.#state === "disconnecting")
      return fail(new CancelledError());
    const d = new Deferred<IProtocol>();
    this.#waiters.push({ d, failAfterFailures: options.failAfterFailures });
    return d;
  }

  /** Start connecting. */
  override startService(): void {
    if (this.running) return;
    super.startService();
    this.#failures = 0;
    this.#connect();
  }

  /**
   * Stop: cancel a connection attempt or a pending retry, or close the connection.
   *
   * @returns A Deferred that fires once disconnected. Never fails. Pending `whenConnected`
   *   Deferreds fail with {@link CancelledError}.
   */
  override stopService(): Deferred<void> {
    super.stopService();
    const state = this.#state;
    if (state === "disconnecting") {
      const d = new Deferred<void>();
      this.#stopWaiters.push(d);
      return d;
    }
    if (state === "connected" && this.#current !== undefined) {
      this.#state = "disconnecting";
      const d = new Deferred<void>();
      this.#stopWaiters.push(d);
      transportOf(this.#current)?.loseConnection();
      return d;
    }
    this.#state = "stopped";
    this.#retry?.cancel();
    this.#retry = undefined;
    this.#attempt?.cancel();
    this.#attempt = undefined;
    this.#cancelWaiters();
    return succeed(undefined);
  }

  #connect(): void {
    this.#state = "connecting";
    this.#retry = undefined;
    const factory = this.#proxyFactory();
    const attempt = this.#endpoint.connect(factory);
    this.#attempt = attempt;
    attempt
      .addCallback((proxy) => {
        // The user's protocol, as Twisted's ClientService hands out (not the proxy).
        const protocol = proxy instanceof ProtocolWrapper ? proxy.wrappedProtocol : proxy;
        if (this.#prepare === undefined) return protocol;
        return maybeDeferred(this.#prepare, protocol).addCallbacks(
          () => protocol,
          (f: Failure) => {
            transportOf(protocol)?.loseConnection();
            throw f.value;
          },
        );
      })
      .addCallbacks(
        (protocol) => this.#connected(protocol),
        (f: Failure) => this.#connectFailed(f),
      );
  }

  /**
   * The factory, each protocol wrapped in a {@link ReconnectingProtocolProxy} whose
   * `connectionLost` tells this service (Twisted's `_ReconnectingProtocolProxy`).
   */
  #proxyFactory(): IProtocolFactory {
    return new ReconnectingFactory(this.#factory, (protocol) => this.#disconnected(protocol));
  }

  #connected(protocol: IProtocol): void {
    this.#attempt = undefined;
    if (this.#state !== "connecting") {
      // Stopped while connecting and the attempt could not be cancelled: drop the connection.
      transportOf(protocol)?.loseConnection();
      return;
    }
    this.#state = "connected";
    this.#failures = 0;
    this.#current = protocol;
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const w of waiting) w.d.callback(protocol);
  }

  #connectFailed(f: Failure): void {
    this.#attempt = undefined;
    if (this.#state !== "connecting") return; // cancelled by stopService
    this.#failures++;
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const w of waiting) {
      if (w.failAfterFailures !== undefined && this.#failures >= w.failAfterFailures)
        w.d.errback(f);
      else this.#waiters.push(w);
    }
    this.#wait();
  }

  #disconnected(protocol: IProtocol): void {
    if (protocol !== this.#current) return;
    this.#current = undefined;
    if (this.#state === "disconnecting") {
      this.#state = "stopped";
      this.#cancelWaiters();
      const waiting = this.#stopWaiters;
      this.#stopWaiters = [];
      for (const d of waiting) d.callback(undefined);
      return;
    }
    if (this.#state === "connected") {
      this.#failures = 1;
      this.#wait();
    }
  }

  #wait(): void {
    this.#state = "waiting";
    const delay = this.#policy(this.#failures - 1);
    log.info("Scheduling retry {attempt} to connect {endpoint} in {delay} seconds.", {
      attempt: this.#failures,
      endpoint: String(this.#endpoint),
      delay,
    });
    this.#retry = this.#clock.callLater(delay, () => this.#connect());
  }

  #cancelWaiters(): void {
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const w of waiting) w.d.errback(new CancelledError());
  }
}

/**
 * Sits between the transport and the user's protocol: its `connectionLost` calls the
 * protocol's, and tells the service in `finally`, so a protocol that throws there still gets
 * reconnected.
 */
class ReconnectingProtocolProxy extends ProtocolWrapper {
  readonly #lost: (protocol: IProtocol) => void;

  constructor(factory: ReconnectingFactory, wrapped: IProtocol, lost: (p: IProtocol) => void) {
    super(factory, wrapped);
    this.#lost = lost;
  }

  override connectionLost(reason: Failure): MaybeAsync {
    try {
      return super.connectionLost(reason);
    } finally {
      this.#lost(this.wrappedProtocol);
    }
  }
}

/** Wraps the user's factory; start, stop and the client callbacks pass through. */
class ReconnectingFactory extends WrappingFactory {
  readonly #lost: (protocol: IProtocol) => void;

  constructor(wrapped: IProtocolFactory, lost: (p: IProtocol) => void) {
    super(wrapped);
    this.#lost = lost;
  }

  /** The user's factory's prefix, as if there were no proxy. */
  override logPrefix(): string {
    return logPrefixOf(this.wrappedFactory);
  }

  protected override wrapProtocol(wrapped: IProtocol): ProtocolWrapper {
    return new ReconnectingProtocolProxy(this, wrapped, this.#lost);
  }
}

function transportOf(protocol: IProtocol): ITransport | undefined {
  return (protocol as { transport?: ITransport }).transport;
}
