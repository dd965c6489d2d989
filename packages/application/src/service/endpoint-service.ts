/**
 * {@link StreamServerEndpointService} and {@link service} (Twisted's
 * `internet.StreamServerEndpointService` and `strports.service`).
 *
 * @module
 */
import {
  type Deferred,
  reactor as defaultReactor,
  type EndpointReactor,
  type IListeningPort,
  type IProtocolFactory,
  type IReactorTime,
  type IStreamServerEndpoint,
  LimitConnectionsByPeer,
  Logger,
  serverFromString,
  succeed,
} from "@torsion/core";
import { displayName, formatAddress } from "./display.ts";
import { IdleTimeoutFactory } from "./idle-timeout.ts";
import { Service } from "./service.ts";
import { ConnectionTrackingFactory } from "./tracking.ts";

const log = new Logger("torsion.application");

/** Options of {@link StreamServerEndpointService}. */
export interface StreamServerEndpointServiceOptions {
  /** The endpoint's description, for messages (`tcp:8007`); {@link service} sets it. */
  description?: string;
  /** Log each connection made and lost, with its `[Echo,3,127.0.0.1]` prefix (default `true`). */
  logConnections?: boolean;
  /**
   * Seconds that `stopService` lets open connections finish after it stopped listening, before
   * it asks them to close. Default: not set, which means 0 (Twisted's behaviour: stop listening
   * only). `twist` sets it from `--shutdown-timeout` on every service that leaves it unset.
   */
  drainTimeout?: number;
  /** The clock the drain and the idle timeout are timed on; default the reactor. */
  clock?: IReactorTime;
  /**
   * Close a connection after this many seconds without data in either direction (core's
   * `TimeoutFactory`); `null` for never. Default: not set, which means never; `twist` sets
   * it from `--idle-timeout` (default 300) on every service that leaves it unset.
   */
  idleTimeout?: number | null;
  /**
   * Refuse connections past this many open at once; `null` for no limit. Default: not set
   * (no limit); `twist` sets it from `--max-connections` (default 16384).
   */
  maxConnections?: number | null;
  /**
   * Refuse connections past this many open at once from one peer host (core's
   * `LimitConnectionsByPeer`); `null` for no limit. Default: not set (no limit); `twist` sets
   * it from `--max-connections-per-peer` (default: no limit).
   */
  maxConnectionsPerPeer?: number | null;
}

/**
 * Listens on a server endpoint with a factory while it runs.
 *
 * - `startService()` listens; its Deferred fires with nothing once listening, or fails with
 *   what the endpoint failed with (`CannotListenError: Couldn't listen on 8007: Address already
 *   in use`), and the service is then not running.
 * - `stopService()` cancels a listen in progress or stops listening, then lets the open
 *   connections finish for up to {@link StreamServerEndpointService.drainTimeout} seconds, then
 *   asks the rest to close. Its Deferred fires when that is done; it never fails.
 */
export class StreamServerEndpointService extends Service {
  /** Where it listens. */
  readonly endpoint: IStreamServerEndpoint;
  /** What makes its protocols. */
  readonly factory: IProtocolFactory;
  /** The endpoint's description, for messages; `undefined` if not given. */
  readonly description: string | undefined;
  /** See {@link StreamServerEndpointServiceOptions.drainTimeout}. */
  drainTimeout: number | undefined;
  /** See {@link StreamServerEndpointServiceOptions.idleTimeout}; read when the service starts. */
  idleTimeout: number | null | undefined;
  /** See {@link StreamServerEndpointServiceOptions.maxConnections}; read when the service starts. */
  maxConnections: number | null | undefined;
  /** See {@link StreamServerEndpointServiceOptions.maxConnectionsPerPeer}; read when the service starts. */
  maxConnectionsPerPeer: number | null | undefined;
  readonly #logConnections: boolean | undefined;
  #tracking: ConnectionTrackingFactory;
  /**
   * Wrappers put around the listening factory at `startService`, innermost first (the metrics
   * module adds its counting factory here). Add to it before the service starts.
   */
  readonly factoryWrappers: Array<(factory: IProtocolFactory) => IProtocolFactory> = [];
  readonly #clock: IReactorTime;
  #listening: Deferred<IListeningPort> | undefined;
  #port: IListeningPort | null = null;

  constructor(
    endpoint: IStreamServerEndpoint,
    factory: IProtocolFactory,
    options: StreamServerEndpointServiceOptions = {},
  ) {
    super();
    this.endpoint = endpoint;
    this.factory = factory;
    this.description = options.description;
    this.drainTimeout = options.drainTimeout;
    this.idleTimeout = options.idleTimeout;
    this.maxConnections = options.maxConnections;
    this.maxConnectionsPerPeer = options.maxConnectionsPerPeer;
    this.#logConnections = options.logConnections;
    this.#clock = options.clock ?? defaultReactor;
    this.#tracking = this.#makeTracking();
  }

  /** The factory chain for the current limits: tracking (total cap), idle timeout, per-peer cap. */
  #makeTracking(): ConnectionTrackingFactory {
    let inner: IProtocolFactory = this.factory;
    const perPeer = this.maxConnectionsPerPeer;
    if (perPeer !== undefined && perPeer !== null) {
      const limit = new LimitConnectionsByPeer(inner);
      limit.maxConnectionsPerPeer = perPeer;
      inner = limit;
    }
    const idle = this.idleTimeout;
    if (idle !== undefined && idle !== null)
      inner = new IdleTimeoutFactory(inner, { clock: this.#clock, timeoutPeriod: idle });
    return new ConnectionTrackingFactory(inner, {
      logConnections: this.#logConnections,
      maxConnections: this.maxConnections,
      clock: this.#clock,
      refusedWhy:
        perPeer === undefined || perPeer === null
          ? "the factory refused it"
          : `${perPeer} connections from that host are open (--max-connections-per-peer), or the factory refused it`,
    });
  }

  /** How many connections were refused by the caps (or the factory) since the service started. */
  get refusedCount(): number {
    return this.#tracking.refusedCount;
  }

  /** The listening port while listening, else `null` (its `getHost()` has the real port number). */
  get port(): IListeningPort | null {
    return this.#port;
  }

  /** How many connections are open. */
  get connectionCount(): number {
    return this.#tracking.protocols.size;
  }

  /**
   * Listen.
   *
   * @returns A Deferred that fires once listening, or fails with the endpoint's error (usually
   *   `CannotListenError`); the service is then not running.
   */
  override startService(): Deferred<void> {
    super.startService();
    this.#tracking = this.#makeTracking();
    const factory = this.factoryWrappers.reduce<IProtocolFactory>((f, w) => w(f), this.#tracking);
    const d = this.endpoint.listen(factory);
    this.#listening = d;
    return d.addCallbacks(
      (port) => {
        this.#listening = undefined;
        this.#port = port;
        log.info("Service {service} listening on {address}", {
          service: displayName(this, this.description ?? String(this.endpoint)),
          address: formatAddress(port.getHost()),
          port: (port.getHost() as { port?: unknown }).port,
        });
      },
      (f) => {
        this.#listening = undefined;
        this.running = false;
        throw f.value;
      },
    );
  }

  /**
   * Stop listening, then let open connections drain (see the class doc).
   *
   * @returns A Deferred that fires once done. Never fails.
   */
  override stopService(): Deferred<void> {
    super.stopService();
    if (this.#listening !== undefined) {
      const pending = this.#listening;
      this.#listening = undefined;
      pending.cancel();
      return succeed(undefined);
    }
    const port = this.#port;
    this.#port = null;
    if (port === null) return succeed(undefined);
    return port
      .stopListening()
      .addErrback(() => undefined)
      .addCallback(() => this.#tracking.drain(this.#clock, this.drainTimeout ?? 0));
  }

  override toString(): string {
    return `<${this.constructor.name} ${this.description ?? String(this.endpoint)}>`;
  }
}

/**
 * A service that listens on `description` with `factory` while it runs (Twisted's
 * `strports.service`): `service("tcp:8007:interface=127.0.0.1", factory, reactor)`.
 *
 * @throws EndpointDescriptionError if `description` does not parse (at once, before anything
 *   starts).
 */
export function service(
  description: string,
  factory: IProtocolFactory,
  reactor: EndpointReactor & IReactorTime = defaultReactor,
  options: Omit<StreamServerEndpointServiceOptions, "description" | "clock"> = {},
): StreamServerEndpointService {
  const endpoint = serverFromString(reactor, description);
  return new StreamServerEndpointService(endpoint, factory, {
    ...options,
    description,
    clock: reactor,
  });
}
