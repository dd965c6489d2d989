/**
 * {@link FileLogObserver}: writes formatted events to a stream, after
 * `twisted.logger._file`.
 *
 * @module
 */

import { type LogEvent, makeEvent } from "./event.ts";
import { LogObserver } from "./observer.ts";

/**
 * Anything events can be written to: a Node stream, a file handle wrapper, a test double.
 *
 * A stream with backpressure (a Node `Writable`: `write` returns `false` and `drain` follows)
 * is never given more than it can take: see {@link FileLogObserverOptions}.
 */
export interface LogStream {
  write(text: string): unknown;
  /** Node's `Writable.once`, used to hear `drain` after a `write` returned `false`. */
  once?(event: "drain", listener: () => void): unknown;
}

/**
 * How much a {@link FileLogObserver} holds while its stream cannot keep up (a stalled stdout
 * pipe, a slow log shipper). Past either limit, events are dropped and counted; once the
 * stream drains, one event says how many were lost.
 */
export interface FileLogObserverOptions {
  /** Formatted text held while the stream is blocked. Default 1 MiB. */
  readonly maxQueuedBytes?: number;
  /** Events held while the stream is blocked. Default 10,000. */
  readonly maxQueuedEvents?: number;
}

const DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;
const DEFAULT_MAX_QUEUED_EVENTS = 10_000;

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
 *
 * Memory stays bounded whatever the reader does: once `stream.write` returns `false`, events
 * wait in a queue bounded by {@link FileLogObserverOptions} until `drain`; the excess is
 * dropped and counted, and when the stream drains an event at `warn` says
 * "N log events dropped while the output was blocked".
 */
export class FileLogObserver extends LogObserver {
  readonly #stream: LogStream;
  readonly #format: (event: LogEvent) => string | null;
  readonly #maxBytes: number;
  readonly #maxEvents: number;
  #blocked = false;
  #queue: string[] = [];
  #head = 0;
  #queuedBytes = 0;
  #dropped = 0;

  constructor(
    stream: LogStream,
    formatEvent: (event: LogEvent) => string | null,
    options: FileLogObserverOptions = {},
  ) {
    super();
    this.#stream = stream;
    this.#format = formatEvent;
    this.#maxBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.#maxEvents = options.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS;
  }

  /** Events dropped since the stream last drained (0 while it keeps up). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Format `event` and write it, or queue it while the stream is blocked. */
  override observe(event: LogEvent): void {
    const text = this.#format(event);
    if (!text) return;
    if (this.#blocked) {
      this.#enqueue(text);
      return;
    }
    this.#write(text);
  }

  #enqueue(text: string): void {
    const queued = this.#queue.length - this.#head;
    if (queued >= this.#maxEvents || this.#queuedBytes + text.length > this.#maxBytes) {
      this.#dropped++;
      return;
    }
    this.#queue.push(text);
    this.#queuedBytes += text.length;
  }

  /** Write `text`; `false` if the stream is now blocked (and `drain` will resume us). */
  #write(text: string): boolean {
    let accepted: unknown;
    writing++;
    try {
      accepted = this.#stream.write(text);
    } finally {
      writing--;
    }
    if (accepted !== false || typeof this.#stream.once !== "function") return true;
    this.#blocked = true;
    this.#stream.once("drain", () => this.#drained());
    return false;
  }

  #drained(): void {
    this.#blocked = false;
    while (this.#head < this.#queue.length) {
      const text = this.#queue[this.#head] as string;
      this.#queue[this.#head++] = "";
      this.#queuedBytes -= text.length;
      if (!this.#write(text)) {
        this.#compact();
        return;
      }
    }
    this.#queue = [];
    this.#head = 0;
    if (this.#dropped === 0) return;
    const count = this.#dropped;
    this.#dropped = 0;
    const note = this.#format(
      makeEvent(
        "warn",
        "{dropped} log events dropped while the output was blocked",
        "torsion.logger",
        undefined,
        { dropped: count },
      ),
    );
    if (note) this.#write(note);
  }

  #compact(): void {
    if (this.#head < 1024) return;
    this.#queue = this.#queue.slice(this.#head);
    this.#head = 0;
  }
}
