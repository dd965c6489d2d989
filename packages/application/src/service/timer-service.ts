/**
 * {@link TimerService}, after Twisted's `internet.TimerService`.
 *
 * @module
 */
import {
  type Deferred,
  type Failure,
  type IReactorTime,
  Logger,
  LoopingCall,
  reactor,
  succeed,
} from "@torsion/core";
import { Service } from "./service.ts";

const log = new Logger("torsion.application.timer");

/**
 * Calls `fn(...args)` every `interval` seconds while running, the first time as it starts. A
 * call that throws (or whose Deferred or promise fails) is logged and ends the loop, as in
 * Twisted; a call that returns a Deferred or promise delays the next call until it settles.
 *
 * ```ts
 * new TimerService(60, () => log.info("{n} connections", { n: count() })).setServiceParent(app);
 * ```
 */
export class TimerService<A extends unknown[] = unknown[]> extends Service {
  /** The clock the loop runs on; the default reactor unless replaced before starting. */
  clock: IReactorTime = reactor;
  /** Seconds between calls. */
  readonly interval: number;
  readonly #fn: (...args: A) => unknown;
  readonly #args: A;
  #loop: LoopingCall<A> | undefined;
  #finished: Deferred<unknown> | undefined;

  constructor(interval: number, fn: (...args: A) => unknown, ...args: A) {
    super();
    this.interval = interval;
    this.#fn = fn;
    this.#args = args;
  }

  /** Start the loop: the first call runs now. */
  override startService(): void {
    super.startService();
    const loop = new LoopingCall(this.#fn, ...this.#args);
    loop.clock = this.clock;
    this.#loop = loop;
    this.#finished = loop.start(this.interval, true).addErrback((f: Failure) => {
      log.failure("{service} failed; it calls no more", f, { service: String(this) });
    });
  }

  /**
   * Stop the loop.
   *
   * @returns A Deferred that fires once a call in progress (one whose Deferred is pending) has
   *   finished. Never fails.
   */
  override stopService(): Deferred<void> {
    super.stopService();
    const loop = this.#loop;
    const finished = this.#finished;
    this.#loop = undefined;
    this.#finished = undefined;
    if (loop?.running) loop.stop();
    if (finished === undefined) return succeed(undefined);
    return finished.addCallback(() => undefined) as Deferred<void>;
  }
}
