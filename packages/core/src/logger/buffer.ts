/**
 * {@link LimitedHistoryLogObserver}, after `twisted.logger._buffer`.
 *
 * @module
 */

import type { ILogObserver, LogEvent } from "./event.ts";
import { LogObserver } from "./observer.ts";

/** Twisted's default bound: 64 Ki events. */
export const DEFAULT_BUFFER_MAXIMUM: number = 64 * 1024;

/**
 * An observer that keeps the last `size` events it saw, to replay them later:
 *
 * ```ts
 * const history = new LimitedHistoryLogObserver(5);
 * for (let n = 0; n < 10; n++) history({ ...event, n });
 * history.replayTo(observer); // sees n = 5 … 9
 * ```
 *
 * It is bounded by design, so it can sit in a long-running process without growing.
 */
export class LimitedHistoryLogObserver extends LogObserver {
  readonly #size: number;
  // A ring: #events[#start] is the oldest of #count events.
  #events: LogEvent[] = [];
  #start = 0;

  /**
   * @param size - how many events to keep; default {@link DEFAULT_BUFFER_MAXIMUM}.
   * @throws {RangeError} if `size` is not a non-negative integer.
   */
  constructor(size: number = DEFAULT_BUFFER_MAXIMUM) {
    super();
    if (!Number.isInteger(size) || size < 0) {
      throw new RangeError(`size must be a non-negative integer, not ${size}`);
    }
    this.#size = size;
  }

  /** Keep `event`, dropping the oldest one if the buffer is full. */
  override observe(event: LogEvent): void {
    if (this.#size === 0) return;
    if (this.#events.length < this.#size) {
      this.#events.push(event);
    } else {
      this.#events[this.#start] = event;
      this.#start = (this.#start + 1) % this.#size;
    }
  }

  /** How many events are kept now (at most the `size` given to the constructor). */
  get count(): number {
    return this.#events.length;
  }

  /** Send the kept events, oldest first, to `observer`. The buffer is left as it is. */
  replayTo(observer: ILogObserver): void {
    const events = this.#events;
    const start = this.#start;
    const n = events.length;
    // Copy first: `observer` may log, which would add to this buffer while it is replayed.
    const ordered =
      start === 0 ? events.slice() : events.slice(start).concat(events.slice(0, start));
    for (let i = 0; i < n; i++) observer(ordered[i]!);
  }

  /** Drop every kept event. */
  clear(): void {
    this.#events = [];
    this.#start = 0;
  }
}
