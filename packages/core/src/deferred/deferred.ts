/**
 * {@link Deferred}: a result that is not there yet, with Twisted's callback chain
 * (`twisted.internet.defer.Deferred`), typed, and awaitable.
 *
 * @module
 */
import { AlreadyCalledError, CancelledError, DeferredStateError, TimeoutError } from "../errors.ts";
import { Failure } from "../failure.ts";
import type { IReactorTime } from "../time.ts";
import { captureStack, DebugInfo, getDebugging } from "./debug.ts";
import { reportHandledLater, reportUnhandled } from "./report.ts";

// Flag bits of Deferred.#flags.
const CALLED = 1;
/** This Deferred's callback loop is running: adding callbacks only appends them to it. */
const RUNNING = 2;
/** Cancelled without a canceller that fired it: swallow the one late callback/errback. */
const SUPPRESS = 4;
/** The current Failure was delivered to a `then`/`await`: it is handled. */
const OBSERVED = 8;
/** Queued for the end-of-turn unhandled-error check. */
const TRACKED = 16;
/** Its Failure was reported as unhandled; say so if it is handled after all. */
const REPORTED = 32;
/** `cancel()` was called: `signal` is (or will be) aborted. */
const CANCELLED = 64;

/**
 * Markers stored in place of a callback. CONTINUE: "hand the result to the Deferred in the
 * args fields, which is waiting for us" (Twisted's `_CONTINUE`). OBSERVE: "settle the native
 * promise whose resolve (cbArgs) and reject (ebArgs) functions these are" (`toPromise`).
 */
const CONTINUE = (): void => {};
const OBSERVE = (): void => {};

type Fn = (...args: unknown[]) => unknown;

/**
 * One `addCallbacks` step waiting to run. Made with an object literal, always with the same
 * keys in the same order (one hidden class; literals are V8's cheapest allocation).
 */
interface CallbackNode {
  readonly cb: Fn | null;
  readonly cbArgs: unknown;
  readonly eb: Fn | null;
  readonly ebArgs: unknown;
  next: CallbackNode | null;
}

/** Extra state few Deferreds need, kept out of line so a plain Deferred stays small. */
interface Extra {
  debug?: DebugInfo;
  controller?: AbortController;
}

/** Options for {@link Deferred.addCallbacks}: extra arguments for each side. */
export interface AddCallbacksOptions<CA extends unknown[], EA extends unknown[]> {
  callbackArgs?: CA;
  errbackArgs?: EA;
}

/**
 * A Deferred following `value` if it is a thenable (a promise), else `undefined`. A thenable
 * whose `then` throws gives a failed Deferred.
 */
function fromThenable(value: object): Deferred<unknown> | undefined {
  try {
    if (typeof (value as { then?: unknown }).then !== "function") return undefined;
    return Deferred.fromPromise(value as PromiseLike<unknown>);
  } catch (e) {
    const d = new Deferred<unknown>();
    d.errback(Failure.from(e));
    return d;
  }
}

/** Deferreds whose chain ended on a Failure this turn, checked by {@link Deferred}'s sweep. */
let tracked: Deferred<unknown>[] = [];
// Captured at load so fake timers installed by tests do not hold the report back.
const scheduleCheck: (fn: () => void) => unknown = globalThis.setImmediate;

/**
 * A result that is not there yet: register what to do with it now, fire it later.
 *
 * Callbacks run **synchronously**, in the order added, as soon as the result is there
 * (`callback`) — or at once if it already is. Each callback gets the previous one's return
 * value. A callback that throws (or returns a {@link Failure}) switches to the errback
 * chain; an errback that returns a value switches back. A callback that returns a Deferred
 * or a promise suspends this chain until that fires, then continues with its result.
 * Long chains and deep nesting of returned Deferreds run in a loop, never recursively.
 *
 * A Deferred is also a `PromiseLike`: `await d` gives its current result or throws the
 * Failure's `value` (and counts as handling it). A chain that ends on a Failure nobody
 * handles is logged ("Unhandled error in Deferred:") at the end of the current turn.
 *
 * ```ts
 * const d = new Deferred<Buffer>();
 * d.addCallback((data) => data.toString("utf8")).addErrback((f) => {
 *   f.trap(ConnectionDone);
 *   return "";
 * });
 * d.callback(Buffer.from("hi"));
 * ```
 *
 * @typeParam T The type of the result the next callback added will receive.
 */
export class Deferred<T = unknown> implements PromiseLike<T> {
  #flags = 0;
  #paused = 0;
  /** The current result; while this chain waits on another Deferred, that Deferred. */
  #result: unknown = undefined;
  /** Pending callback pairs, a singly linked list (appends never copy, run ones are freed). */
  #first: CallbackNode | null = null;
  #last: CallbackNode | null = null;
  // Typed loosely so that Deferred<T> stays covariant in T, like Promise<T>.
  #canceller: ((d: any) => void) | undefined;
  #extra: Extra | undefined = undefined;

  /**
   * @param canceller Called by {@link Deferred.cancel} (before this Deferred has a result) to
   *   stop the operation; it may fire the Deferred itself. If it does not (or there is none),
   *   `cancel()` fails the Deferred with {@link CancelledError}.
   */
  constructor(canceller?: (d: Deferred<T>) => void) {
    this.#canceller = canceller;
    if (getDebugging()) {
      const info = new DebugInfo();
      info.creator = captureStack(1);
      this.#extra = { debug: info };
    }
  }

  /** `true` once `callback` or `errback` has been called (or `cancel` fired it). */
  get called(): boolean {
    return (this.#flags & CALLED) !== 0;
  }

  /** How many unmatched `pause()` calls (including waits on a returned Deferred) are in effect. */
  get paused(): number {
    return this.#paused;
  }

  /**
   * Fire the callback chain with `result`.
   *
   * @throws AlreadyCalledError if this Deferred already fired (unless it was cancelled without
   *   a canceller: then the one late result is silently dropped, as in Twisted).
   * @throws TypeError if `result` is a Deferred (return it from a callback to chain instead).
   */
  callback(result: T): void {
    if (result instanceof Deferred) {
      throw new TypeError(
        "Deferred.callback() cannot take a Deferred; return it from a callback to chain",
      );
    }
    this.#start(result);
  }

  /**
   * Fire the errback chain with `reason`, wrapped in a {@link Failure} unless it is one.
   * Without a reason, fails with a generic `Error`.
   *
   * @throws AlreadyCalledError as {@link Deferred.callback} does.
   */
  errback(reason?: unknown): void {
    if (reason === undefined) reason = new Error("Deferred.errback() called without a reason");
    this.#start(Failure.from(reason));
  }

  /**
   * Add `callback` to the success side of the chain (failures pass by it), called as
   * `callback(result, ...args)`. Runs now if the result is already there.
   *
   * @returns this Deferred, retyped to the callback's (awaited) return type.
   */
  addCallback<R, A extends unknown[] = []>(
    callback: (result: T, ...args: A) => R | PromiseLike<R>,
    ...args: A
  ): Deferred<R> {
    return this.#add(
      callback as Fn,
      args.length ? args : undefined,
      null,
      undefined,
    ) as unknown as Deferred<R>;
  }

  /**
   * Add `errback` to the failure side of the chain (results pass by it), called as
   * `errback(failure, ...args)`. Return a value to recover; throw (or `failure.trap`) to go on
   * failing.
   *
   * @returns this Deferred, retyped.
   */
  addErrback<R = never, A extends unknown[] = []>(
    errback: (failure: Failure, ...args: A) => R | PromiseLike<R>,
    ...args: A
  ): Deferred<T | R> {
    return this.#add(null, undefined, errback as Fn, args.length ? args : undefined) as Deferred<
      T | R
    >;
  }

  /** Add `fn` as both callback and errback: it gets the result or the {@link Failure}. */
  addBoth<R, A extends unknown[] = []>(
    fn: (resultOrFailure: T | Failure, ...args: A) => R | PromiseLike<R>,
    ...args: A
  ): Deferred<R> {
    const a = args.length ? args : undefined;
    return this.#add(fn as Fn, a, fn as Fn, a) as unknown as Deferred<R>;
  }

  /**
   * Add a callback and an errback as one step: exactly one of them runs, and the errback does
   * not see failures thrown by this callback (unlike `addCallback(cb).addErrback(eb)`).
   */
  addCallbacks<R1, R2 = never, CA extends unknown[] = [], EA extends unknown[] = []>(
    callback: (result: T, ...args: CA) => R1 | PromiseLike<R1>,
    errback?: ((failure: Failure, ...args: EA) => R2 | PromiseLike<R2>) | null,
    options?: AddCallbacksOptions<CA, EA>,
  ): Deferred<R1 | R2> {
    const ca = options?.callbackArgs;
    const ea = options?.errbackArgs;
    return this.#add(
      callback as Fn,
      ca?.length ? ca : undefined,
      (errback ?? null) as Fn | null,
      ea?.length ? ea : undefined,
    ) as unknown as Deferred<R1 | R2>;
  }

  /** Stop running callbacks (even if the result is there) until a matching {@link unpause}. */
  pause(): void {
    this.#paused++;
  }

  /**
   * Undo one {@link pause}; at zero, run the callbacks added meanwhile.
   *
   * @throws DeferredStateError if this Deferred is not paused.
   */
  unpause(): void {
    if (this.#paused === 0)
      throw new DeferredStateError("unpause() called on a Deferred that is not paused");
    if (--this.#paused === 0 && this.#flags & CALLED) this.#run();
  }

  /**
   * Cancel the operation. Before this Deferred has a result: aborts {@link signal}, calls the
   * canceller; if that did not fire the Deferred, fails it with {@link CancelledError}. Without
   * a canceller, the one late `callback`/`errback` from the operation is then ignored; with a
   * canceller that did not fire it, a late one throws {@link AlreadyCalledError} (Twisted's
   * rule: a canceller is expected to stop the operation). If it fired but its chain waits on
   * another Deferred, cancels that one. Otherwise does nothing.
   */
  cancel(): void {
    const flags = this.#flags;
    if (!(flags & CALLED)) {
      this.#markCancelled();
      const canceller = this.#canceller;
      if (canceller !== undefined) canceller(this);
      else this.#flags |= SUPPRESS;
      if (!(this.#flags & CALLED)) this.errback(new Failure(new CancelledError()));
    } else if (this.#result instanceof Deferred) {
      this.#markCancelled();
      this.#result.cancel();
    }
  }

  /**
   * An `AbortSignal` that aborts (with a {@link CancelledError}) when this Deferred is
   * cancelled, for passing cancellation on to `fetch`, `fs` or other signal-aware APIs.
   */
  get signal(): AbortSignal {
    const extra = (this.#extra ??= {});
    if (extra.controller === undefined) {
      extra.controller = new AbortController();
      if (this.#flags & CANCELLED) extra.controller.abort(new CancelledError());
    }
    return extra.controller.signal;
  }

  /**
   * Cancel this Deferred when `signal` aborts (now, if it already has). The listener is removed
   * once this Deferred has a result.
   *
   * @returns this Deferred.
   */
  cancelOn(signal: AbortSignal): this {
    if (signal.aborted) {
      this.cancel();
      return this;
    }
    const onAbort = (): void => this.cancel();
    signal.addEventListener("abort", onAbort, { once: true });
    const remove = (r: unknown): unknown => {
      signal.removeEventListener("abort", onAbort);
      return r;
    };
    this.#add(remove as Fn, undefined, remove as Fn, undefined);
    return this;
  }

  /**
   * Cancel this Deferred if it has no result after `seconds` on `clock`; it then fails with
   * {@link TimeoutError} (the default `onTimeoutCancel` turns the {@link CancelledError} into
   * one). Covers the callbacks added before this call, not those added after.
   *
   * @param onTimeoutCancel Called, only on timeout, with the chain's value at that point and
   *   `seconds`; its return value replaces it.
   * @returns this Deferred.
   */
  addTimeout(
    seconds: number,
    clock: IReactorTime,
    onTimeoutCancel?: (value: unknown, timeout: number) => unknown,
  ): this {
    let timedOut = false;
    const call = clock.callLater(seconds, () => {
      timedOut = true;
      this.cancel();
    });
    const convert = (value: unknown): unknown => {
      if (!timedOut) return value;
      if (onTimeoutCancel !== undefined) return onTimeoutCancel(value, seconds);
      if (value instanceof Failure) {
        value.trap(CancelledError);
        throw new TimeoutError(`Deferred timed out after ${seconds} seconds`);
      }
      return value;
    };
    const stopTimer = (value: unknown): unknown => {
      if (call.active()) call.cancel();
      return value;
    };
    this.#add(convert as Fn, undefined, convert as Fn, undefined);
    this.#add(stopTimer as Fn, undefined, stopTimer as Fn, undefined);
    return this;
  }

  /**
   * Make `other` fire with this chain's result at this point (`addCallbacks(other.callback,
   * other.errback)`). Unlike returning a Deferred from a callback, this recurses.
   *
   * @returns this Deferred.
   */
  chainDeferred(other: Deferred<T>): this {
    this.#add(
      ((r: T) => other.callback(r)) as Fn,
      undefined,
      ((f: Failure) => other.errback(f)) as Fn,
      undefined,
    );
    return this;
  }

  /**
   * A native Promise of the result of the chain as it stands when it gets here. Rejects with
   * the Failure's `value`. Does not change the Deferred's result; its Failure counts as handled.
   */
  toPromise(): Promise<T> {
    const flags = this.#flags;
    if (flags & CALLED && this.#paused === 0 && this.#first === null && !(flags & RUNNING)) {
      // The result is here and nothing is queued before us: skip the callback step.
      const result = this.#result;
      if (!(result instanceof Failure)) return Promise.resolve(result as T);
      if (flags & REPORTED) this.#handledLater(result);
      this.#flags |= OBSERVED;
      return Promise.reject(result.value);
    }
    return new Promise<T>((resolve, reject) => {
      this.#add(OBSERVE, resolve, OBSERVE, reject);
    });
  }

  /**
   * `PromiseLike` support, so `await d` works: a native Promise, as {@link toPromise} then
   * `.then(onFulfilled, onRejected)`. Handlers run asynchronously, as for any promise.
   */
  // biome-ignore lint/suspicious/noThenProperty: a Deferred is a PromiseLike by design
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const p = this.toPromise();
    if (onFulfilled == null && onRejected == null) return p as Promise<R1 | R2>;
    return p.then(onFulfilled, onRejected);
  }

  /**
   * A Deferred that fires with `promise`'s value or fails with its rejection. Cancelling it
   * fails it with {@link CancelledError} at once (the promise itself runs on). A Deferred is
   * returned as is.
   */
  static fromPromise<T>(promise: PromiseLike<T>): Deferred<T> {
    if (promise instanceof Deferred) return promise as Deferred<T>;
    const d = new Deferred<T>();
    // Skip the late settlement of a cancelled Deferred rather than throw inside the promise
    // machinery (an unhandled rejection there would end the process).
    promise.then(
      (v) => {
        if (!d.called) d.callback(v);
      },
      (e) => {
        if (!d.called) d.errback(Failure.from(e));
      },
    );
    return d;
  }

  /** A short description: `<Deferred current result: 3>`, `<Deferred waiting on Deferred>`. */
  toString(): string {
    if (this.#result instanceof Deferred) return "<Deferred waiting on Deferred>";
    if (!(this.#flags & CALLED)) return "<Deferred>";
    return `<Deferred current result: ${String(this.#result)}>`;
  }

  // --- internals ------------------------------------------------------------------------

  #add(cb: Fn | null, cbArgs: unknown, eb: Fn | null, ebArgs: unknown): this {
    const node: CallbackNode = { cb, cbArgs, eb, ebArgs, next: null };
    const last = this.#last;
    if (last === null) this.#first = node;
    else last.next = node;
    this.#last = node;
    if (this.#flags & CALLED) this.#run();
    return this;
  }

  /** Leave a CONTINUE marker for `waiting` (which is paused on us); no run: we have no result yet. */
  #waitedOnBy(waiting: Deferred<unknown>): void {
    const node: CallbackNode = {
      cb: CONTINUE,
      cbArgs: waiting,
      eb: CONTINUE,
      ebArgs: waiting,
      next: null,
    };
    const last = this.#last;
    if (last === null) this.#first = node;
    else last.next = node;
    this.#last = node;
  }

  #markCancelled(): void {
    this.#flags |= CANCELLED;
    const controller = this.#extra?.controller;
    if (controller !== undefined && !controller.signal.aborted)
      controller.abort(new CancelledError());
  }

  #start(result: unknown): void {
    const flags = this.#flags;
    if (flags & CALLED) {
      if (flags & SUPPRESS) {
        this.#flags = flags & ~SUPPRESS;
        return;
      }
      const debug = this.#extra?.debug;
      throw new AlreadyCalledError(debug === undefined ? undefined : `\n${debug.format()}`);
    }
    if (getDebugging()) {
      const debug = ((this.#extra ??= {}).debug ??= new DebugInfo());
      debug.invoker = captureStack(2);
    }
    this.#flags = flags | CALLED;
    this.#result = result;
    this.#run();
  }

  /**
   * Run callbacks until the chain is exhausted or waits. When a callback returns an unfired
   * Deferred, this one pauses and leaves a CONTINUE marker in that Deferred's callbacks. When
   * that Deferred reaches the marker, the loop switches to the waiting Deferred instead of
   * calling into it (Twisted's `_runCallbacks`), keeping on an explicit stack only Deferreds
   * that still have callbacks to run: nesting costs no JS stack.
   */
  #run(): void {
    if (this.#flags & RUNNING) return;
    /** Deferreds that handed their result on but have callbacks left: come back to them. */
    let resume: Deferred<unknown>[] | null = null;
    let current: Deferred<unknown> = this as Deferred<unknown>;
    for (;;) {
      let next: Deferred<unknown> | null = null;
      let node = current.#first;
      if (node !== null) {
        // RUNNING for the whole loop: a callback (or a log observer) that adds callbacks to
        // `current` only appends them (to #last, which stays valid), and this loop runs them;
        // nothing else moves #first, so the read position lives in a local meanwhile.
        current.#flags |= RUNNING;
        while (node !== null && current.#paused === 0) {
          const entry: CallbackNode = node;
          let result = current.#result;
          const failed = result instanceof Failure;
          const fn = failed ? entry.eb : entry.cb;
          const args = failed ? entry.ebArgs : entry.cbArgs;
          if (fn === null) {
            node = entry.next; // passes this kind of result by
            continue;
          }
          if (failed && current.#flags & REPORTED) current.#handledLater(result as Failure);
          if (fn === OBSERVE) {
            if (failed) {
              current.#flags |= OBSERVED;
              (args as Fn)((result as Failure).value);
            } else (args as Fn)(result);
            node = entry.next;
            continue;
          }
          if (fn === CONTINUE) {
            // The Deferred waiting on us takes our result and carries on.
            next = args as Deferred<unknown>;
            next.#result = result;
            next.#flags &= ~OBSERVED;
            next.#paused--;
            current.#result = undefined;
            node = entry.next;
            break;
          }
          try {
            result = args === undefined ? fn(result) : fn(result, ...(args as unknown[]));
          } catch (e) {
            result = Failure.from(e);
          }
          current.#flags &= ~OBSERVED;
          current.#result = result;
          if (result !== null && (typeof result === "object" || typeof result === "function")) {
            let inner: Deferred<unknown> | undefined;
            if (result instanceof Deferred) inner = result;
            else if (!(result instanceof Failure)) inner = fromThenable(result);
            if (inner === current) {
              current.#result = new Failure(
                new TypeError("A callback returned the Deferred it was attached to"),
              );
            } else if (inner !== undefined) {
              if (
                !(inner.#flags & CALLED) ||
                inner.#result instanceof Deferred ||
                inner.#paused !== 0
              ) {
                // Not there yet: wait for it.
                current.#paused++;
                current.#result = inner;
                inner.#waitedOnBy(current);
                node = entry.next;
                break;
              }
              // Already there: take its result.
              const taken = inner.#result;
              if (inner.#flags & REPORTED && taken instanceof Failure) inner.#handledLater(taken);
              inner.#result = undefined;
              current.#result = taken;
            }
          }
          // Read after the call: the callback may have appended to this very node.
          node = entry.next;
        }
        current.#flags &= ~RUNNING;
        current.#first = node;
        if (node === null) current.#last = null;
      }
      if (next !== null) {
        if (current.#first !== null) (resume ??= []).push(current);
        current = next;
        continue;
      }
      // Done with `current` for now: it ran out of callbacks, or waits, or is paused.
      if (current.#result instanceof Failure && current.#paused === 0) current.#track();
      if (resume === null || resume.length === 0) return;
      current = resume.pop()!;
    }
  }

  /** Queue this Deferred for the end-of-turn unhandled-error check. */
  #track(): void {
    if (this.#flags & (TRACKED | OBSERVED | REPORTED)) return;
    this.#flags |= TRACKED;
    if (tracked.length === 0) scheduleCheck(Deferred.#sweep);
    tracked.push(this as Deferred<unknown>);
  }

  static #sweep(): void {
    const batch = tracked;
    tracked = [];
    for (const d of batch) {
      d.#flags &= ~TRACKED;
      const f = d.#result;
      if (
        f instanceof Failure &&
        !(d.#flags & (OBSERVED | REPORTED)) &&
        d.#paused === 0 &&
        d.#first === null
      ) {
        d.#flags |= REPORTED;
        reportUnhandled(f, d.#extra?.debug?.format());
      }
    }
  }

  #handledLater(f: Failure): void {
    this.#flags &= ~REPORTED;
    reportHandledLater(f);
  }
}
