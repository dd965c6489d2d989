/**
 * Endpoints return Deferreds and never throw: this is the one place that turns a synchronous
 * throw into a failed Deferred (Twisted's `defer.execute` / `try: … except: return fail()`).
 *
 * @module
 * @internal
 */
import type { Deferred } from "../deferred/deferred.ts";
import { fail } from "../deferred/helpers.ts";

/** Call `fn`; if it throws, return a Deferred already failed with what it threw. */
export function attempt<T>(fn: () => Deferred<T>): Deferred<T> {
  try {
    return fn();
  } catch (e) {
    return fail(e) as Deferred<T>;
  }
}
