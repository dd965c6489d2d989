/**
 * {@link DelayedCall}: one call scheduled by `callLater`, shared by the reactor and the test
 * `Clock` (Twisted's `twisted.internet.base.DelayedCall`).
 *
 * @module
 */
import { AlreadyCalled, AlreadyCancelled } from "../errors.ts";
import type { IDelayedCall } from "../interfaces.ts";

/** How the scheduler that owns a {@link DelayedCall} hears about changes to it. */
export interface DelayedCallOwner {
  /** The owner's current time in seconds (its `seconds()`). */
  seconds(): number;
  /** The call was cancelled: forget it. Called before the call is marked cancelled. */
  cancelled(call: DelayedCall): void;
  /**
   * The call's {@link DelayedCall.getTime} changed (by `reset` or `delay`). The owner moves it
   * if it keeps its calls ordered, or re-arms a timer if it is now due sooner.
   */
  rescheduled(call: DelayedCall): void;
}

/**
 * A call scheduled with {@link IReactorTime.callLater}: it can be cancelled, moved sooner or
 * later, and asked whether it is still pending.
 *
 * As in Twisted, a call keeps two numbers: {@link DelayedCall.time}, where its scheduler filed
 * it, and a pending extra delay. Moving a call later only grows the extra delay, which is
 * cheap (a protocol timeout reset on every chunk of data costs no re-ordering); the scheduler
 * applies it with {@link DelayedCall.activateDelay} when the call comes up. Moving a call
 * sooner updates `time` at once and tells the scheduler.
 *
 * Schedulers create these; user code gets them from `callLater`.
 */
export class DelayedCall implements IDelayedCall {
  /** The function to call; cleared on cancel so the call holds no references. */
  #fn: ((...args: any[]) => unknown) | undefined;
  #args: readonly unknown[] | undefined;
  #owner: DelayedCallOwner;
  #time: number;
  #delayedTime = 0;
  #called = false;
  #cancelled = false;

  /**
   * @param time Absolute time (in the owner's seconds) at which to call `fn`.
   * @param fn The function to call.
   * @param args Its arguments.
   * @param owner The scheduler: its clock and its bookkeeping hooks.
   */
  constructor(
    time: number,
    fn: (...args: any[]) => unknown,
    args: readonly unknown[],
    owner: DelayedCallOwner,
  ) {
    this.#time = time;
    this.#fn = fn;
    this.#args = args;
    this.#owner = owner;
  }

  /**
   * The time where the scheduler filed this call, without any pending extra delay. Schedulers
   * order by it; everyone else wants {@link DelayedCall.getTime}.
   */
  get time(): number {
    return this.#time;
  }

  /** The extra delay added by `reset`/`delay` that the scheduler has not applied yet (≥ 0). */
  get delayedTime(): number {
    return this.#delayedTime;
  }

  /** `true` once the call has run (or is running). */
  get called(): boolean {
    return this.#called;
  }

  /** `true` once the call has been cancelled. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** The time, in the scheduler's seconds, at which this call will run. */
  getTime(): number {
    return this.#time + this.#delayedTime;
  }

  /**
   * Do not run this call.
   *
   * @throws AlreadyCancelled if it was cancelled already.
   * @throws AlreadyCalled if it has already run.
   */
  cancel(): void {
    this.#checkPending();
    this.#owner.cancelled(this);
    this.#cancelled = true;
    this.#fn = undefined;
    this.#args = undefined;
  }

  /**
   * Run this call `secondsFromNow` seconds after the scheduler's current time instead.
   *
   * @throws AlreadyCancelled if it was cancelled.
   * @throws AlreadyCalled if it has already run.
   */
  reset(secondsFromNow: number): void {
    this.#checkPending();
    const newTime = this.#owner.seconds() + secondsFromNow;
    if (newTime < this.#time) {
      this.#delayedTime = 0;
      this.#time = newTime;
    } else {
      this.#delayedTime = newTime - this.#time;
    }
    this.#owner.rescheduled(this);
  }

  /**
   * Run this call `secondsLater` seconds later than currently scheduled (negative: sooner).
   *
   * @throws AlreadyCancelled if it was cancelled.
   * @throws AlreadyCalled if it has already run.
   */
  delay(secondsLater: number): void {
    this.#checkPending();
    this.#delayedTime += secondsLater;
    if (this.#delayedTime < 0) this.activateDelay();
    this.#owner.rescheduled(this);
  }

  /** `true` until the call has run or been cancelled. */
  active(): boolean {
    return !(this.#cancelled || this.#called);
  }

  /**
   * Fold the pending extra delay into {@link DelayedCall.time}. Called by the scheduler when
   * it finds the call due at its filed time but moved later since.
   */
  activateDelay(): void {
    this.#time += this.#delayedTime;
    this.#delayedTime = 0;
  }

  /**
   * Mark the call as called and run it, returning what the function returned. Exceptions
   * propagate to the scheduler, which decides what to do with them (the reactor logs them,
   * `Clock.advance` lets them reach the test). Called by the scheduler only.
   *
   * @throws AlreadyCancelled / AlreadyCalled if the call is not pending.
   */
  invoke(): unknown {
    this.#checkPending();
    this.#called = true;
    // The function is kept after the call (as in Twisted) so an error report can name it.
    return this.#fn!(...this.#args!);
  }

  /** A description for logs: `<DelayedCall [1.5s] called=false cancelled=false fn(args)>`. */
  toString(): string {
    const inSeconds = this.getTime() - this.#owner.seconds();
    const fn = this.#fn
      ? `${this.#fn.name || "<anonymous>"}(${(this.#args ?? []).map(describe).join(", ")})`
      : "";
    return `<DelayedCall [${inSeconds}s] called=${this.#called} cancelled=${this.#cancelled}${fn ? ` ${fn}` : ""}>`;
  }

  #checkPending(): void {
    if (this.#cancelled) throw new AlreadyCancelled();
    if (this.#called) throw new AlreadyCalled();
  }
}

function describe(value: unknown): string {
  try {
    return typeof value === "string" ? JSON.stringify(value) : String(value);
  } catch {
    return "<unprintable>";
  }
}
