/**
 * Waiting for several Deferreds: {@link DeferredList}, {@link gatherResults}, {@link race}
 * (Twisted's combinators from `twisted.internet.defer`).
 *
 * @module
 */
import { FailureGroup, FirstError } from "../errors.ts";
import { Failure } from "../failure.ts";
import { Deferred } from "./deferred.ts";
import { reportCancellerError } from "./report.ts";

/** One entry of a {@link DeferredList} result: `[true, value]` or `[false, failure]`. */
export type DeferredListEntry<T> = [success: true, value: T] | [success: false, failure: Failure];

/** The result of a {@link DeferredList}: one entry per Deferred, in the order given. */
export type DeferredListResult<T> = DeferredListEntry<T>[];

/** Options of {@link DeferredList}. */
export interface DeferredListOptions {
  /** Fire with `[value, index]` as soon as one Deferred succeeds. */
  fireOnOneCallback?: boolean;
  /** Fail with {@link FirstError} as soon as one Deferred fails. */
  fireOnOneErrback?: boolean;
  /**
   * Replace each Deferred's failure, after the list has seen it, with `undefined`, so the
   * individual Deferreds are not reported as unhandled errors.
   */
  consumeErrors?: boolean;
}

/** The constructor type of {@link DeferredList}: its result type depends on the options. */
export interface DeferredListConstructor {
  /**
   * With `fireOnOneCallback`: fires with `[value, index]` of the first success, or (if all
   * fail) with the full result list.
   */
  new <T>(
    deferreds: Iterable<Deferred<T>>,
    options: DeferredListOptions & { fireOnOneCallback: true },
  ): Deferred<[T, number] | DeferredListResult<T>>;
  new <T>(
    deferreds: Iterable<Deferred<T>>,
    options?: DeferredListOptions,
  ): Deferred<DeferredListResult<T>>;
}

class DeferredListImpl<T> extends Deferred<unknown> {
  readonly #deferreds: Deferred<T>[];
  readonly #results: DeferredListResult<T>;
  #finished = 0;

  constructor(deferreds: Iterable<Deferred<T>>, options: DeferredListOptions = {}) {
    super((self) => cancelAll((self as DeferredListImpl<T>).#deferreds));
    const list = [...deferreds];
    this.#deferreds = list;
    this.#results = new Array(list.length);
    const { fireOnOneCallback = false, fireOnOneErrback = false, consumeErrors = false } = options;
    if (list.length === 0 && !fireOnOneCallback) this.callback(this.#results);
    for (let i = 0; i < list.length; i++) {
      list[i]!.addCallbacks(
        (value: T) => {
          this.#results[i] = [true, value];
          this.#finished++;
          if (!this.called) {
            if (fireOnOneCallback) this.callback([value, i]);
            else if (this.#finished === list.length) this.callback(this.#results);
          }
          return value;
        },
        (failure: Failure) => {
          this.#results[i] = [false, failure];
          this.#finished++;
          if (!this.called) {
            if (fireOnOneErrback) this.errback(new Failure(new FirstError(failure, i)));
            else if (this.#finished === list.length) this.callback(this.#results);
          }
          return consumeErrors ? undefined : failure;
        },
      );
    }
  }
}

/**
 * A Deferred that fires when every Deferred in `deferreds` has fired, with a list of
 * `[true, value]` / `[false, failure]` in the order given (Twisted's `DeferredList`). An
 * empty list fires at once. Never fails unless `fireOnOneErrback` is set: then it fails with
 * {@link FirstError} (its `subFailure` and `index`) on the first failure. Cancelling it
 * cancels every Deferred in the list.
 *
 * The list adds a callback pair to each Deferred: callbacks added to them before see their
 * own results first; callbacks added after see the results (or, with `consumeErrors`,
 * `undefined` in place of failures).
 *
 * ```ts
 * const results = await new DeferredList([a, b], { consumeErrors: true });
 * for (const [ok, value] of results) if (!ok) log.failure("fetch failed", value);
 * ```
 */
export const DeferredList: DeferredListConstructor =
  DeferredListImpl as unknown as DeferredListConstructor;

/**
 * A Deferred of every result, in order, once all of `deferreds` succeeded (Twisted's
 * `gatherResults`). Fails with {@link FirstError} (wrapping the failure and its index) as soon
 * as one fails. With `consumeErrors`, the inputs' failures are consumed so they are not also
 * reported as unhandled. Cancelling it cancels every input.
 */
export function gatherResults<T>(
  deferreds: Iterable<Deferred<T>>,
  consumeErrors = false,
): Deferred<T[]> {
  const d = new DeferredList(deferreds, { fireOnOneErrback: true, consumeErrors });
  return d.addCallback((entries) => entries.map((entry) => entry[1] as T));
}

/**
 * The first of `deferreds` to succeed: fires with `[index, value]` and cancels all the others
 * (Twisted's `race`). Fails with {@link FailureGroup} (every failure, in input order) if all
 * of them fail — at once for an empty list. The inputs' results are consumed. Cancelling it
 * cancels every input and fails it with `CancelledError`.
 */
export function race<T>(deferreds: Iterable<Deferred<T>>): Deferred<[number, T]> {
  const list = [...deferreds];
  let done = false;
  let cancelling = false;
  const result = new Deferred<[number, T]>(() => {
    cancelling = true;
    cancelAll(list);
  });
  if (list.length === 0) {
    result.errback(new FailureGroup([]));
    return result;
  }
  const failures: Failure[] = new Array(list.length);
  let failed = 0;
  for (let i = 0; i < list.length; i++) {
    list[i]!.addCallbacks(
      (value: T) => {
        if (!done) {
          done = true;
          cancelAll(list.filter((_, j) => j !== i));
          result.callback([i, value]);
        }
      },
      (failure: Failure) => {
        if (done) return;
        failures[i] = failure;
        if (++failed === list.length && !cancelling) {
          done = true;
          result.errback(new FailureGroup(failures));
        }
      },
    );
  }
  return result;
}

/** Cancel each Deferred; a canceller that throws is logged and does not stop the others. */
function cancelAll(deferreds: Iterable<Deferred<unknown>>): void {
  for (const d of deferreds) {
    try {
      d.cancel();
    } catch (e) {
      reportCancellerError(Failure.from(e));
    }
  }
}
