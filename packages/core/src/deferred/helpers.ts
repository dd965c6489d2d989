/**
 * Making Deferreds from values, errors, functions and promises (Twisted's `succeed`, `fail`,
 * `maybeDeferred`, `execute`, `ensureDeferred`).
 *
 * @module
 */
import { Failure } from "../failure.ts";
import { Deferred } from "./deferred.ts";
import { isThenable } from "./thenable.ts";

/**
 * A Deferred that has already fired with `result`: for returning a synchronous result from
 * an API that promises a Deferred.
 *
 * @throws TypeError if `result` is a Deferred (return that Deferred itself).
 */
export function succeed<T>(result: T): Deferred<T> {
  const d = new Deferred<T>();
  d.callback(result);
  return d;
}

/**
 * A Deferred that has already failed with `reason` (wrapped in a {@link Failure} unless it is
 * one). Add an errback, or it is reported as unhandled at the end of the turn.
 */
export function fail<T = never>(reason?: unknown): Deferred<T> {
  const d = new Deferred<T>();
  d.errback(reason);
  return d;
}

/**
 * Call `fn(...args)` now and return a Deferred of its result: fired with the value, failed with
 * what it threw. For synchronous functions; use {@link maybeDeferred} when `fn` may return a
 * Deferred or a promise.
 */
export function execute<R, A extends unknown[]>(fn: (...args: A) => R, ...args: A): Deferred<R> {
  let result: R;
  try {
    result = fn(...args);
  } catch (e) {
    return fail(e);
  }
  return succeed(result);
}

/**
 * Call `fn(...args)` and return a Deferred whatever it does: its Deferred as is; a promise
 * (or other thenable) as a Deferred; a {@link Failure} as a failed Deferred; a value as a
 * fired one. If `fn` throws, the Deferred fails with what it threw. Never throws.
 */
export function maybeDeferred<R, A extends unknown[]>(
  fn: (...args: A) => R | PromiseLike<R>,
  ...args: A
): Deferred<R> {
  let result: R | PromiseLike<R>;
  try {
    result = fn(...args);
  } catch (e) {
    return fail(e);
  }
  if (result instanceof Deferred) return result as Deferred<R>;
  if (result instanceof Failure) return fail(result);
  if (isThenable(result)) return Deferred.fromPromise(result);
  return succeed(result as R);
}

/**
 * A Deferred for the result of an `async` function call (a promise) or any other thenable;
 * a Deferred is returned as is. Cancelling the Deferred fails it with `CancelledError` (the
 * promise itself cannot be stopped; pass the Deferred's `signal` into it for that).
 *
 * ```ts
 * const d = ensureDeferred(fetchConfig(url));
 * ```
 *
 * @throws TypeError if `promise` is not a thenable.
 */
export function ensureDeferred<T>(promise: PromiseLike<T>): Deferred<T> {
  if (!isThenable(promise)) {
    throw new TypeError(`ensureDeferred() needs a Deferred or a promise, not ${String(promise)}`);
  }
  return Deferred.fromPromise(promise);
}
