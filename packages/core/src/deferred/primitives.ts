/**
 * Concurrency primitives for event-driven code: {@link DeferredLock},
 * {@link DeferredSemaphore}, {@link DeferredQueue} (Twisted's, from `twisted.internet.defer`).
 * Waiters are served first come, first served; cancelling a waiting Deferred takes it out of
 * the line.
 *
 * @module
 */
import { DeferredStateError, QueueOverflow, QueueUnderflow } from "../errors.ts";
import { Deferred } from "./deferred.ts";
import { fail, maybeDeferred, succeed } from "./helpers.ts";

/** Shared by the lock and the semaphore: the waiting line and `run`. */
abstract class ConcurrencyPrimitive {
  protected readonly waiting: Deferred<this>[] = [];

  /** Take the resource; the Deferred fires (with this object) once it is yours. */
  abstract acquire(): Deferred<this>;
  /** Give the resource back; the first waiter, if any, gets it. */
  abstract release(): void;

  /**
   * Acquire, call `fn(...args)`, release once its result (a value, or the Deferred or promise
   * it returns) is there, whether it succeeded or failed.
   *
   * @returns a Deferred of `fn`'s result; fails with what `fn` threw or failed with.
   */
  run<R, A extends unknown[]>(fn: (...args: A) => R | PromiseLike<R>, ...args: A): Deferred<R> {
    return this.acquire().addCallback(() =>
      maybeDeferred(fn, ...args).addBoth((r) => {
        this.release();
        return r;
      }),
    ) as unknown as Deferred<R>;
  }

  /** A waiting Deferred was cancelled: take it out of the line (its canceller). */
  protected cancelWaiting(d: Deferred<this>): void {
    const i = this.waiting.indexOf(d);
    if (i >= 0) this.waiting.splice(i, 1);
  }
}

/**
 * A lock for event-driven code: one holder at a time; the rest wait in line.
 *
 * ```ts
 * const lock = new DeferredLock();
 * await lock.run(async () => writeRecord(r)); // never two writes at once
 * ```
 */
export class DeferredLock extends ConcurrencyPrimitive {
  #locked = false;

  /** `true` while someone holds the lock. */
  get locked(): boolean {
    return this.#locked;
  }

  /** Take the lock; the Deferred fires with this lock once it is yours (at once if free). */
  acquire(): Deferred<this> {
    const d = new Deferred<this>((self) => this.cancelWaiting(self));
    if (this.#locked) this.waiting.push(d);
    else {
      this.#locked = true;
      d.callback(this);
    }
    return d;
  }

  /**
   * Release the lock, handing it to the first waiter if there is one.
   *
   * @throws DeferredStateError if the lock is not locked.
   */
  release(): void {
    if (!this.#locked) throw new DeferredStateError("Tried to release an unlocked lock");
    const next = this.waiting.shift();
    if (next === undefined) this.#locked = false;
    else next.callback(this);
  }

  /** `using held = await lock.acquire()` releases the lock at the end of the block. */
  [Symbol.dispose](): void {
    this.release();
  }
}

/**
 * A semaphore: at most `limit` holders at once; the rest wait in line. For limiting
 * concurrency of work, `run` is the usual entry point.
 */
export class DeferredSemaphore extends ConcurrencyPrimitive {
  /** At most this many may hold the semaphore at once. */
  readonly limit: number;
  #tokens: number;

  /** @throws RangeError if `tokens` is not an integer of at least 1. */
  constructor(tokens: number) {
    super();
    if (!Number.isInteger(tokens) || tokens < 1) {
      throw new RangeError(`DeferredSemaphore requires tokens >= 1, got ${tokens}`);
    }
    this.limit = tokens;
    this.#tokens = tokens;
  }

  /** How many more could acquire now without waiting. */
  get tokens(): number {
    return this.#tokens;
  }

  /** Take a token; the Deferred fires with this semaphore once you have it. */
  acquire(): Deferred<this> {
    const d = new Deferred<this>((self) => this.cancelWaiting(self));
    if (this.#tokens === 0) this.waiting.push(d);
    else {
      this.#tokens--;
      d.callback(this);
    }
    return d;
  }

  /**
   * Return a token, handing it to the first waiter if there is one.
   *
   * @throws DeferredStateError if every token is already back.
   */
  release(): void {
    if (this.#tokens >= this.limit) {
      throw new DeferredStateError("Someone released me too many times: too many tokens!");
    }
    const next = this.waiting.shift();
    if (next === undefined) this.#tokens++;
    else next.callback(this);
  }

  /** `using held = await sem.acquire()` releases the token at the end of the block. */
  [Symbol.dispose](): void {
    this.release();
  }
}

/**
 * An event-driven queue: `get` returns a Deferred that fires with the next object `put`.
 *
 * @typeParam T The objects queued.
 */
export class DeferredQueue<T> {
  /** The most objects held waiting for a `get` (`Infinity`: no limit). */
  readonly size: number;
  /** The most `get`s waiting for an object (`Infinity`: no limit). */
  readonly backlog: number;
  readonly #waiting: Deferred<T>[] = [];
  readonly #pending: T[] = [];

  constructor(size: number = Infinity, backlog: number = Infinity) {
    this.size = size;
    this.backlog = backlog;
  }

  /** How many objects are queued, waiting for a `get`. */
  get length(): number {
    return this.#pending.length;
  }

  /**
   * Add `obj`: it goes to the oldest waiting `get`, or is queued.
   *
   * @throws QueueOverflow if `size` objects are already queued.
   */
  put(obj: T): void {
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) waiter.callback(obj);
    else if (this.#pending.length < this.size) this.#pending.push(obj);
    else throw new QueueOverflow();
  }

  /**
   * The next object: a fired Deferred if one is queued, else one that fires on the next `put`.
   * Cancelling a waiting get takes it out of the line.
   *
   * @returns a Deferred; fails with {@link QueueUnderflow} if `backlog` gets already wait.
   */
  get(): Deferred<T> {
    if (this.#pending.length > 0) return succeed(this.#pending.shift() as T);
    if (this.#waiting.length >= this.backlog) return fail(new QueueUnderflow());
    const d: Deferred<T> = new Deferred<T>((self) => {
      const i = this.#waiting.indexOf(self);
      if (i >= 0) this.#waiting.splice(i, 1);
    });
    this.#waiting.push(d);
    return d;
  }
}
