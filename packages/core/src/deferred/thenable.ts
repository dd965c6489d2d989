/**
 * {@link isThenable}: the one test for "a promise, or anything awaitable like one", used where
 * a callback's result may be a Deferred, a Promise or a plain value.
 *
 * @module
 */

/** Whether `value` has a callable `then` (Promises/A+'s definition of a thenable). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
