/**
 * {@link deferLater}: a Deferred that fires after a delay (Twisted's `task.deferLater`).
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import { Failure } from "../failure.ts";
import type { IDelayedCall, IReactorTime } from "../interfaces.ts";

/**
 * Call `fn(...args)` after `delay` seconds on `clock`, and fire the returned Deferred with what
 * it returns (or, when `fn` returns a Deferred or promise, with what that settles to). Without
 * `fn` the Deferred fires with `undefined`.
 *
 * Cancelling the Deferred before the delay has passed cancels the scheduled call: `fn` never
 * runs and the Deferred fails with `CancelledError`.
 *
 * ```ts
 * await deferLater(reactor, 1.5);
 * const answer = await deferLater(clock, 2, (a: number, b: number) => a + b, 40, 2);
 * ```
 *
 * @returns A Deferred that fires with `fn`'s result, or fails with what `fn` threw, or with
 *   `CancelledError` if cancelled.
 */
export function deferLater<T = undefined, A extends unknown[] = []>(
  clock: IReactorTime,
  delay: number,
  fn?: (...args: A) => T | PromiseLike<T>,
  ...args: A
): Deferred<Awaited<T>> {
  let call: IDelayedCall | undefined;
  const d = new Deferred<undefined>(() => call?.cancel());
  try {
    call = clock.callLater(delay, () => d.callback(undefined));
  } catch (error) {
    // A Deferred-returning API never throws: a bad delay fails the Deferred.
    d.errback(Failure.from(error));
  }
  if (fn === undefined) return d as unknown as Deferred<Awaited<T>>;
  return d.addCallback(() => fn(...args)) as unknown as Deferred<Awaited<T>>;
}
