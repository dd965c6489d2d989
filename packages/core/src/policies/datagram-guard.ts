/**
 * A guard for UDP services that answer every datagram (echo, daytime, QOTD, time, ...).
 *
 * Such a service is a reflector: a datagram with a forged source makes it send its answer to
 * whoever the forger names. Two defences, as BSD `inetd` has for its built-in services and as
 * DNS servers' response-rate limiting does:
 *
 * - no answer to a source port that cannot be a client (0) or that is the well-known port of
 *   another small service (7 echo, 9 discard, 13 daytime, 17 qotd, 19 chargen, 37 time), so one
 *   forged datagram cannot make two such servers answer each other forever;
 * - a per-source-host token bucket, so a flood of forged datagrams cannot turn the server into
 *   an amplifier aimed at one victim.
 *
 * Time comes from an injected {@link IReactorTime}, so tests drive it with `Clock`.
 *
 * @module
 */
import type { IReactorTime } from "../interfaces.ts";

/** The source ports BSD inetd refuses to answer: 0, and the small services' own (7, 9, 13, 17, 19, 37). */
export const SMALL_SERVICE_PORTS: readonly number[] = Object.freeze([0, 7, 9, 13, 17, 19, 37]);

/** What a {@link DatagramGuard} allows. Every field has a default. */
export interface DatagramGuardOptions {
  /** Where time comes from (for the rate limit). */
  readonly clock: IReactorTime;
  /** Source ports never answered. Default {@link SMALL_SERVICE_PORTS}. */
  readonly blockedSourcePorts?: Iterable<number>;
  /** Answers per second per source host, sustained. Default 20; `Infinity` turns the limit off. */
  readonly ratePerSource?: number;
  /** Answers a source host may get at once before the rate applies. Default 40. */
  readonly burstPerSource?: number;
  /**
   * Source hosts remembered at once (the least recently seen are forgotten first), so a
   * spoofed flood from many addresses cannot grow memory. Default 10,000.
   */
  readonly maxSources?: number;
}

const DEFAULTS = Object.freeze({ ratePerSource: 20, burstPerSource: 40, maxSources: 10_000 });

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Decides whether a UDP service may answer a datagram from `addr`.
 *
 * ```ts
 * const guard = new DatagramGuard({ clock: reactor });
 * datagramReceived(data, addr) { if (guard.allows(addr)) this.transport.write(data, addr); }
 * ```
 */
export class DatagramGuard {
  /** The defaults of {@link DatagramGuardOptions}: 20 answers/s per source, bursts of 40, 10,000 sources. */
  static readonly defaults: {
    readonly ratePerSource: number;
    readonly burstPerSource: number;
    readonly maxSources: number;
  } = DEFAULTS;
  /** Datagrams refused because of their source port. */
  refusedByPort = 0;
  /** Datagrams refused by the per-source rate limit. */
  refusedByRate = 0;
  readonly #clock: IReactorTime;
  readonly #blocked: ReadonlySet<number>;
  readonly #rate: number;
  readonly #burst: number;
  readonly #maxSources: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: DatagramGuardOptions) {
    this.#clock = options.clock;
    this.#blocked = new Set(options.blockedSourcePorts ?? SMALL_SERVICE_PORTS);
    this.#rate = options.ratePerSource ?? DEFAULTS.ratePerSource;
    this.#burst = options.burstPerSource ?? DEFAULTS.burstPerSource;
    this.#maxSources = options.maxSources ?? DEFAULTS.maxSources;
    if (!(this.#rate > 0)) throw new RangeError(`ratePerSource must be > 0, got ${this.#rate}`);
    if (!(this.#burst >= 1))
      throw new RangeError(`burstPerSource must be >= 1, got ${this.#burst}`);
    if (!(this.#maxSources >= 1)) {
      throw new RangeError(`maxSources must be >= 1, got ${this.#maxSources}`);
    }
  }

  /**
   * The guard a command-line option asks for: `value` answers a second per source host
   * (bursts of twice that), `"0"` for no rate limit; the port rule always applies.
   *
   * @throws RangeError naming the option if `value` is not a number >= 0.
   */
  static fromRateOption(value: string, clock: IReactorTime, option = "--udp-rate"): DatagramGuard {
    const perSecond = value.trim() === "" ? Number.NaN : Number(value);
    if (!(perSecond >= 0) || !Number.isFinite(perSecond)) {
      throw new RangeError(
        `${option} must be a number of answers per second (0 for no limit), got ${JSON.stringify(value)}`,
      );
    }
    if (perSecond === 0)
      return new DatagramGuard({ clock, ratePerSource: Number.POSITIVE_INFINITY });
    return new DatagramGuard({
      clock,
      ratePerSource: perSecond,
      burstPerSource: Math.max(1, 2 * perSecond),
    });
  }

  /** `true` if a datagram from `addr` (`[host, port]`) may be answered; counts a refusal otherwise. */
  allows(addr: readonly [string, number]): boolean {
    const [host, port] = addr;
    if (this.#blocked.has(port)) {
      this.refusedByPort++;
      return false;
    }
    if (this.#rate === Number.POSITIVE_INFINITY) return true;
    const now = this.#clock.seconds();
    let bucket = this.#buckets.get(host);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxSources) {
        // Map iteration is insertion order: the first key is the least recently seen host.
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
      bucket = { tokens: this.#burst, at: now };
    } else {
      this.#buckets.delete(host);
      bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#rate);
      bucket.at = now;
    }
    this.#buckets.set(host, bucket);
    if (bucket.tokens < 1) {
      this.refusedByRate++;
      return false;
    }
    bucket.tokens -= 1;
    return true;
  }

  /** Source hosts currently remembered (bounded by `maxSources`). */
  get trackedSources(): number {
    return this.#buckets.size;
  }
}
