/**
 * {@link LoopingCall}: call a function every N seconds (Twisted's `task.LoopingCall`).
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import { maybeDeferred } from "../deferred/helpers.ts";
import type { Failure } from "../failure.ts";
import type { IDelayedCall, IReactorTime } from "../interfaces.ts";
import { reactor } from "../reactor/default.ts";

/**
 * Call a function repeatedly, every `interval` seconds.
 *
 * If the function returns a Deferred (or a promise), the next call is not scheduled until it
 * has settled. Calls keep to the grid `start time + k × interval`: when a call comes late
 * (a blocked event loop, a slow function or Deferred), the intervals missed are skipped, not
 * made up for, and the next call is at the next grid point still in the future.
 * {@link LoopingCall.withCount} tells the function how many intervals passed.
 *
 * ```ts
 * const loop = new LoopingCall(() => console.log("tick"));
 * loop.start(1).addErrback((f) => log.failure("tick failed", f));
 * // later
 * loop.stop();
 * ```
 */
export class LoopingCall<A extends unknown[] = unknown[]> {
  /** The clock to schedule on; the default reactor unless replaced (before `start`). */
  clock: IReactorTime = reactor;
  /** The seconds between calls, set by {@link LoopingCall.start}; may be changed while running. */
  interval: number | undefined = undefined;
  /** `true` from `start` until `stop` (or the function fails). */
  running = false;
  /** The clock time at which the loop was started (or last {@link LoopingCall.reset}). */
  startTime: number | undefined = undefined;

  readonly #fn: (...args: A) => unknown;
  readonly #args: A;
  #call: IDelayedCall | undefined;
  #deferred: Deferred<LoopingCall<A>> | undefined;
  #runAtStart = false;

  /** Call `fn(...args)` every interval once started. */
  constructor(fn: (...args: A) => unknown, ...args: A) {
    this.#fn = fn;
    this.#args = args;
  }

  /**
   * A loop that calls `countCallable(count)` with the number of intervals that elapsed since
   * its previous call: normally 1, more when calls were skipped. With an interval of 0 the
   * count is always 1.
   */
  static withCount(countCallable: (count: number) => unknown): LoopingCall<[]> {
    let lastTime: number | undefined;
    const loop: LoopingCall<[]> = new LoopingCall(() => {
      const now = loop.clock.seconds();
      const interval = loop.interval!;
      if (interval === 0) {
        lastTime = now;
        return countCallable(1);
      }
      let last = lastTime;
      if (last === undefined) {
        last = loop.startTime!;
        if (loop.#runAtStart) last -= interval;
      }
      const count = loop.#intervalOf(now) - loop.#intervalOf(last);
      if (count > 0) {
        lastTime = now;
        return countCallable(count);
      }
      return undefined;
    });
    return loop;
  }

  /**
   * Start calling the function every `interval` seconds, the first time now (or after one
   * interval if `now` is `false`).
   *
   * @returns A Deferred that fires with this loop when {@link LoopingCall.stop} is called, or
   *   fails with whatever the function threw (or its Deferred failed with); the loop then stops.
   * @throws Error if the loop is already running; RangeError if `interval` is negative.
   */
  start(interval: number, now = true): Deferred<LoopingCall<A>> {
    if (this.running) throw new Error("Tried to start an already running LoopingCall.");
    if (!(interval >= 0)) throw new RangeError("interval must be >= 0");
    this.running = true;
    // The loop may fail during this very call (when `now`), which clears #deferred.
    const deferred = new Deferred<LoopingCall<A>>();
    this.#deferred = deferred;
    this.startTime = this.clock.seconds();
    this.interval = interval;
    this.#runAtStart = now;
    if (now) this.#tick();
    else this.#scheduleFrom(this.startTime);
    return deferred;
  }

  /**
   * Stop calling the function. The Deferred `start` returned fires now, or, if the function's
   * Deferred is pending, once it settles.
   *
   * @throws Error if the loop is not running.
   */
  stop(): void {
    if (!this.running) throw new Error("Tried to stop a LoopingCall that was not running.");
    this.running = false;
    if (this.#call !== undefined) {
      this.#call.cancel();
      this.#call = undefined;
      this.#fire();
    }
  }

  /**
   * Skip the next call and restart the interval from now.
   *
   * @throws Error if the loop is not running.
   */
  reset(): void {
    if (!this.running) throw new Error("Tried to reset a LoopingCall that was not running.");
    if (this.#call !== undefined) {
      this.#call.cancel();
      this.#call = undefined;
      this.startTime = this.clock.seconds();
      this.#scheduleFrom(this.startTime);
    }
  }

  /** `LoopingCall<interval>(fn)`, for logs. */
  toString(): string {
    return `LoopingCall<${this.interval}>(${this.#fn.name || "<anonymous>"})`;
  }

  #tick = (): void => {
    this.#call = undefined;
    maybeDeferred(this.#fn, ...this.#args)
      .addCallback(() => {
        if (this.running) this.#scheduleFrom(this.clock.seconds());
        else this.#fire();
      })
      .addErrback((failure: Failure) => {
        this.running = false;
        const d = this.#deferred!;
        this.#deferred = undefined;
        d.errback(failure);
      });
  };

  #fire(): void {
    const d = this.#deferred!;
    this.#deferred = undefined;
    d.callback(this);
  }

  /** Schedule the next call for the next grid point after `when`. */
  #scheduleFrom(when: number): void {
    this.#call = this.clock.callLater(this.#howLong(when), this.#tick);
  }

  #howLong(when: number): number {
    const interval = this.interval!;
    if (interval === 0) return 0;
    const untilNextInterval = interval - ((when - this.startTime!) % interval);
    // When `when` is large and the remainder tiny, adding it changes nothing: the next grid
    // point is effectively now, so wait a whole interval instead.
    if (when === when + untilNextInterval) return interval;
    return untilNextInterval;
  }

  #intervalOf(t: number): number {
    return Math.trunc((t - this.startTime!) / this.interval!);
  }
}
