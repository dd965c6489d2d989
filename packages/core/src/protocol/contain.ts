/**
 * {@link containResult}: treat a callback's rejected promise exactly as its thrown exception.
 *
 * @module
 */

/** What a protocol callback may return: nothing, or a promise (an `async` method) or Deferred. */
export type MaybeAsync = void | PromiseLike<void>;

/**
 * If `result` (what a callback returned) is a promise or a Deferred, call `onError` with its
 * rejection reason should it reject; anything else is ignored. With a `try`/`catch` around the
 * call, this makes an `async` callback's rejection take the same path as a thrown exception:
 *
 * ```ts
 * try {
 *   containResult(protocol.lineReceived(line), (error) => this.failed(error));
 * } catch (error) {
 *   this.failed(error);
 * }
 * ```
 *
 * Costs one `typeof` check for a synchronous callback. A rejection that `onError` rethrows
 * becomes an unhandled rejection, so `onError` should log rather than throw.
 */
export function containResult(result: unknown, onError: (error: unknown) => void): void {
  if (result === undefined || result === null) return;
  const then = (result as { then?: unknown }).then;
  if (typeof then === "function")
    (then as PromiseLike<unknown>["then"]).call(result, undefined, onError);
}

/**
 * Call `fn()` and route both a thrown exception and a rejected promise or Deferred it returns
 * to `onError`. For a callback called in one place, the shorter form of {@link containResult}.
 */
export function callContained(fn: () => unknown, onError: (error: unknown) => void): void {
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    onError(error);
    return;
  }
  containResult(result, onError);
}
