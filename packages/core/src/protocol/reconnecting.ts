/**
 * {@link ReconnectingClientFactory}: a client factory that reconnects with exponential
 * back-off, after `twisted.internet.protocol.ReconnectingClientFactory`.
 *
 * @module
 */
import type { Failure } from "../failure.ts";
import type { IConnector, IDelayedCall, IReactorTime } from "../interfaces.ts";
import { Logger } from "../logger/logger.ts";
import { ClientFactory } from "./factory.ts";

const log = new Logger("torsion.protocol");

/** Log fields naming a connector: itself, and its destination as text for the message. */
function describe(connector: IConnector | null): Record<string, unknown> {
  let destination = "no connector";
  if (connector !== null) {
    try {
      destination = String(connector.getDestination());
    } catch {
      destination = String(connector);
    }
  }
  return { connector, destination };
}

/** Settings for {@link ReconnectingClientFactory}; every one may also be set as a field later. */
export interface ReconnectingClientFactoryOptions {
  /** Schedules the reconnection attempts: the reactor, or a `Clock` in tests. */
  clock?: IReactorTime;
  /** Delay of the first reconnection attempt before growth; default 1 second. */
  initialDelay?: number;
  /** Longest delay between attempts, in seconds; default 3600. */
  maxDelay?: number;
  /** Growth factor of the delay; default e. */
  factor?: number;
  /** Standard deviation of the delay's random spread, as a fraction of it; 0 turns it off. */
  jitter?: number;
  /** Give up after this many consecutive failed attempts; default `null` (never). */
  maxRetries?: number | null;
  /** Uniform random numbers in [0, 1) for the jitter; default `Math.random`. */
  random?: () => number;
}

/**
 * A {@link ClientFactory} that reconnects whenever the connection fails or is lost, waiting
 * longer each time: the delay is multiplied by {@link factor} (e) up to {@link maxDelay}, then
 * spread by a normal distribution with standard deviation `delay * jitter` so that many clients
 * do not reconnect in step. As in Twisted, the first retry therefore comes after about
 * `initialDelay * factor` seconds.
 *
 * Call {@link resetDelay} once connected (typically in the protocol's `connectionMade`, through
 * `this.factory`), so the next outage starts again from a short delay; call
 * {@link stopTrying} to give up.
 *
 * The clock must be set (option or field) before the first retry: time is never taken from a
 * global reactor.
 *
 * ```ts
 * const factory = new ReconnectingClientFactory({ clock: reactor });
 * factory.protocol = MyClient; // whose connectionMade calls (this.factory as ReconnectingClientFactory).resetDelay()
 * reactor.connectTCP("example.com", 7, factory);
 * ```
 */
export class ReconnectingClientFactory extends ClientFactory {
  /** Longest delay between attempts, in seconds (Twisted: 3600). */
  maxDelay = 3600;
  /** The delay that growth starts from (Twisted: 1.0). */
  initialDelay = 1.0;
  /** Growth factor per attempt (Twisted: e, 2.7182818284590451). */
  factor: number = Math.E;
  /** Random spread of the delay, as a fraction of it (Twisted's constant, 0.119626565582). */
  jitter = 0.119626565582;
  /** The delay used for the last scheduled attempt, in seconds. */
  delay = 1.0;
  /** Consecutive attempts since the last {@link resetDelay}. */
  retries = 0;
  /** Give up after this many consecutive retries; `null` for never. */
  maxRetries: number | null = null;
  /** `false` after {@link stopTrying}: failures and losses are no longer retried. */
  continueTrying = true;
  /** The connector of the last failure or loss: the one {@link retry} reconnects by default. */
  connector: IConnector | null = null;
  /** Schedules the attempts; must be set before the first retry. */
  clock: IReactorTime | undefined;
  /** Uniform random numbers in [0, 1), for the jitter. Replace it for deterministic tests. */
  random: () => number = Math.random;
  #callID: IDelayedCall | null = null;

  constructor(options: ReconnectingClientFactoryOptions = {}) {
    super();
    if (options.clock !== undefined) this.clock = options.clock;
    if (options.initialDelay !== undefined) this.initialDelay = this.delay = options.initialDelay;
    if (options.maxDelay !== undefined) this.maxDelay = options.maxDelay;
    if (options.factor !== undefined) this.factor = options.factor;
    if (options.jitter !== undefined) this.jitter = options.jitter;
    if (options.maxRetries !== undefined) this.maxRetries = options.maxRetries;
    if (options.random !== undefined) this.random = options.random;
  }

  /** The connection attempt failed: retry after the next delay, unless stopped. */
  override clientConnectionFailed(connector: IConnector, _reason: Failure): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /** The connection was lost: retry after the next delay, unless stopped. */
  override clientConnectionLost(connector: IConnector, _reason: Failure): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /** `true` while a reconnection attempt is scheduled. */
  get retryScheduled(): boolean {
    return this.#callID !== null;
  }

  /**
   * Have `connector` (default: the last one that failed) connect again after the next delay.
   * Does nothing after {@link stopTrying} or once {@link maxRetries} is exceeded.
   *
   * @throws Error when there is no connector to retry, or no {@link clock}.
   */
  retry(connector?: IConnector): void {
    if (!this.continueTrying) {
      if (this.noisy)
        log.info(
          "Abandoning {destination} on explicit request",
          describe(connector ?? this.connector),
        );
      return;
    }
    const target = connector ?? this.connector;
    if (target === null) throw new Error("no connector to retry");
    const clock = this.clock;
    if (clock === undefined) {
      throw new Error(
        `${this.constructor.name}.clock is not set: pass { clock: reactor } or set the field`,
      );
    }

    this.retries++;
    if (this.maxRetries !== null && this.retries > this.maxRetries) {
      if (this.noisy)
        log.info("Abandoning {destination} after {retries} retries.", {
          ...describe(target),
          retries: this.retries,
        });
      return;
    }

    this.delay = Math.min(this.delay * this.factor, this.maxDelay);
    if (this.jitter) this.delay = this.#normal(this.delay, this.delay * this.jitter);

    if (this.noisy) {
      log.info("{destination} will retry in {delay} seconds", {
        ...describe(target),
        delay: Math.floor(this.delay),
      });
    }
    this.#callID = clock.callLater(this.delay, () => {
      this.#callID = null;
      target.connect();
    });
  }

  /**
   * Stop reconnecting: cancel a scheduled attempt, refuse further retries, and stop the
   * connector's attempt in progress, if any.
   */
  stopTrying(): void {
    if (this.#callID !== null) {
      const call = this.#callID;
      this.#callID = null;
      if (call.active()) call.cancel();
    }
    this.continueTrying = false;
    if (this.connector !== null) {
      try {
        this.connector.stopConnecting();
      } catch {
        // Not connecting (NotConnectingError): there is nothing to stop.
      }
    }
  }

  /**
   * Call after a successful connection: the next outage starts from {@link initialDelay} with
   * the retry count at 0, and retrying is on again.
   */
  resetDelay(): void {
    this.delay = this.initialDelay;
    this.retries = 0;
    this.#callID = null;
    this.continueTrying = true;
  }

  /** A normal variate (Box–Muller), never negative: a delay cannot be. */
  #normal(mean: number, stddev: number): number {
    const u1 = 1 - this.random(); // (0, 1]: log(0) would be -Infinity
    const u2 = this.random();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return Math.max(0, mean + stddev * z);
  }
}
