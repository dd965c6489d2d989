/**
 * {@link Clock}: deterministic time for tests (Twisted's `twisted.internet.task.Clock`).
 *
 * @module
 */
import type { IReactorTime } from "../interfaces.ts";
import { DelayedCall, type DelayedCallOwner } from "../reactor/delayed-call.ts";

/**
 * An {@link IReactorTime} whose time moves only when the test says so.
 *
 * Time starts at 0. {@link Clock.advance} moves it forward and runs every call that is due, in
 * time order; calls due at the same time run in the order they were scheduled. A call
 * scheduled (or moved) during `advance` for a time not after the new "now" runs in the same
 * `advance`, as in Twisted.
 *
 * Unlike the reactor, an exception thrown by a scheduled function is not logged: it
 * propagates out of `advance`, so the test sees it. The calls not yet run stay scheduled.
 *
 * ```ts
 * const clock = new Clock();
 * const d = deferLater(clock, 5, () => "done");
 * clock.advance(5); // d has fired with "done"
 * ```
 */
export class Clock implements IReactorTime {
  #now = 0;
  /** Pending calls, sorted by `getTime()`; equal times keep scheduling order. */
  #calls: DelayedCall[] = [];
  /** A pending call was moved (`reset`/`delay`): sort before the next look. */
  #dirty = false;
  readonly #owner: DelayedCallOwner = {
    seconds: () => this.#now,
    cancelled: (call) => {
      const i = this.#calls.indexOf(call);
      if (i >= 0) this.#calls.splice(i, 1);
    },
    rescheduled: () => {
      this.#dirty = true;
    },
  };

  /** The current time in seconds: 0 plus everything {@link Clock.advance}d so far. */
  seconds(): number {
    return this.#now;
  }

  /**
   * Call `fn(...args)` once the clock has been advanced by `delay` seconds.
   *
   * @throws RangeError if `delay` is negative or not a number.
   */
  callLater<A extends unknown[]>(
    delay: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): DelayedCall {
    checkDelay(delay);
    const call = new DelayedCall(
      this.#now + delay,
      fn as (...args: unknown[]) => unknown,
      args,
      this.#owner,
    );
    this.#sort();
    this.#calls.splice(this.#insertionIndex(call.getTime()), 0, call);
    return call;
  }

  /** Every call that has neither run nor been cancelled, in the order they will run. */
  getDelayedCalls(): DelayedCall[] {
    this.#sort();
    return [...this.#calls];
  }

  /**
   * Move time forward by `amount` seconds and run every call that is due, including calls
   * those calls schedule for a time not after the new "now".
   *
   * @throws RangeError if `amount` is negative or not a number.
   * @throws whatever a scheduled function throws (the remaining due calls then run on the next
   *   `advance`).
   */
  advance(amount: number): void {
    if (!(amount >= 0)) throw new RangeError(`Cannot advance a Clock by ${amount} seconds`);
    this.#now += amount;
    for (;;) {
      this.#sort();
      const next = this.#calls[0];
      if (next === undefined || next.getTime() > this.#now) return;
      this.#calls.shift();
      next.invoke();
    }
  }

  /** Advance by each of `timings` in turn: `pump([1, 1, 1])` is three `advance(1)` calls. */
  pump(timings: Iterable<number>): void {
    for (const amount of timings) this.advance(amount);
  }

  #sort(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    // Array.prototype.sort is stable, so calls due at the same time keep their order.
    this.#calls.sort((a, b) => a.getTime() - b.getTime());
  }

  /** The index after every call due at or before `time` (keeps scheduling order for ties). */
  #insertionIndex(time: number): number {
    let lo = 0;
    let hi = this.#calls.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#calls[mid]!.getTime() <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function checkDelay(delay: number): void {
  if (!(delay >= 0)) throw new RangeError(`callLater delay must be a number >= 0, not ${delay}`);
}
