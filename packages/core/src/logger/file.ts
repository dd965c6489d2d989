/**
 * {@link FileLogObserver}: writes formatted events to a stream, after
 * `twisted.logger._file`.
 *
 * @module
 */

import type { LogEvent } from "./event.ts";
import { LogObserver } from "./observer.ts";

/** Anything events can be written to: a Node stream, a file handle wrapper, a test double. */
export interface LogStream {
  write(text: string): unknown;
}

// How many FileLogObservers are writing right now. Standard I/O redirection (global.ts)
// passes their writes straight through, so that a log written to process.stdout is not
// logged again as "stdout" output.
let writing = 0;

/** Whether a {@link FileLogObserver} is writing at this moment. Internal. */
export function isWritingLogOutput(): boolean {
  return writing > 0;
}

/**
 * An observer that writes `formatEvent(event)` to `stream`, skipping events it formats to
 * `null` or `""`. Errors thrown by the stream propagate (a {@link LogPublisher} reports them
 * to its other observers).
 */
export class FileLogObserver extends LogObserver {
  readonly #stream: LogStream;
  readonly #format: (event: LogEvent) => string | null;

  constructor(stream: LogStream, formatEvent: (event: LogEvent) => string | null) {
    super();
    this.#stream = stream;
    this.#format = formatEvent;
  }

  /** Format `event` and write it. */
  override observe(event: LogEvent): void {
    const text = this.#format(event);
    if (!text) return;
    writing++;
    try {
      this.#stream.write(text);
    } finally {
      writing--;
    }
  }
}
