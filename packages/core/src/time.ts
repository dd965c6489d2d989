/**
 * Time as the reactor offers it: {@link IReactorTime} and {@link IDelayedCall} (Twisted's
 * `IReactorTime`, `IDelayedCall`). Types only, and importing nothing, so that any module
 * (`Deferred.addTimeout`, `task`, the test `Clock`) can take a clock without an import circle.
 *
 * @module
 */

/** A call scheduled with {@link IReactorTime.callLater}. */
export interface IDelayedCall {
  /** The time (in the reactor's seconds) at which it will run. */
  getTime(): number;
  /** Do not run it. Throws `AlreadyCalled` or `AlreadyCancelled` if it is too late. */
  cancel(): void;
  /** Run it `secondsLater` seconds after the reactor's current time instead. */
  reset(secondsLater: number): void;
  /** Run it `secondsLater` seconds later than currently scheduled. */
  delay(secondsLater: number): void;
  /** `true` until it has run or been cancelled. */
  active(): boolean;
}

/** Scheduling by time. The reactor implements it; `Clock` is the deterministic one for tests. */
export interface IReactorTime {
  /** The current time in seconds (floating point). Not necessarily the Unix epoch for test clocks. */
  seconds(): number;
  /** Call `fn(...args)` after `delay` seconds (0 is "as soon as possible", after this turn). */
  callLater<A extends unknown[]>(
    delay: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): IDelayedCall;
  /** Every scheduled call that has neither run nor been cancelled. */
  getDelayedCalls(): IDelayedCall[];
}
