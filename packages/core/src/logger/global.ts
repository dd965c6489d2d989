/**
 * Process-wide logging state, after `twisted.logger._global`: {@link globalLogPublisher},
 * where every {@link Logger} sends its events by default, and {@link globalLogBeginner},
 * which holds them until the program says where logs go.
 *
 * Importing this module only creates objects: no timers, no listeners, no output.
 *
 * @module
 */

import { DEFAULT_BUFFER_MAXIMUM, LimitedHistoryLogObserver } from "./buffer.ts";
import type { ILogObserver } from "./event.ts";
import { makeEvent } from "./event.ts";
import { FileLogObserver, type LogStream } from "./file.ts";
import { FilteringLogObserver, LogLevelFilterPredicate } from "./filter.ts";
import { eventAsText } from "./format.ts";
import { LogPublisher } from "./observer.ts";
import { redirectStream, type StandardIO } from "./stdio.ts";

/** The warning logged when {@link LogBeginner.beginLoggingTo} is called more than once. */
export const MORE_THAN_ONCE_WARNING: string =
  "Warning: primary log target selected twice at <{locationNow}> - previously selected at " +
  "<{locationThen}>.  Remove one of the calls to beginLoggingTo.";

/** Options of {@link LogBeginner.beginLoggingTo}. */
export interface BeginLoggingOptions {
  /** Drop the events logged so far instead of replaying them to the observers. */
  discardBuffer?: boolean;
  /**
   * Turn what is written to standard output and error (`console.log`, `process.stdout.write`)
   * into log events (namespaces `stdout` at `info`, `stderr` at `error`, one per line), as
   * Twisted does. Default true, as in Twisted. Writes made by log observers themselves go
   * through unchanged, so `textFileLogObserver(process.stdout)` is safe.
   */
  redirectStandardIO?: boolean;
}

/** Options of the {@link LogBeginner} constructor. */
export interface LogBeginnerOptions {
  /** How many events to keep until logging begins; default 64 Ki, as Twisted's buffer. */
  initialBufferSize?: number;
}

/**
 * Holds logging's state until the program chooses its observers. Until then, it
 *
 * 1. keeps the events in a bounded {@link LimitedHistoryLogObserver} (the newest 64 Ki), and
 * 2. writes `critical` events (unhandled errors) to `errorStream`, so they are not lost if
 *    logging never begins.
 *
 * {@link LogBeginner.beginLoggingTo} then adds the observers, replays the kept events to
 * them, stops both of the above, and redirects standard I/O into the log.
 *
 * Programs use {@link globalLogBeginner}; tests may build their own with doubles.
 */
export class LogBeginner {
  readonly #publisher: LogPublisher;
  readonly #stdio: StandardIO;
  readonly #initialBuffer: LimitedHistoryLogObserver;
  #temporaryObserver: ILogObserver | undefined;
  #previousBegin = "";
  #restoreStdio: (() => void)[] = [];

  /**
   * @param publisher - the publisher whose events are buffered, then sent to the observers.
   * @param errorStream - where `critical` events are written before logging begins.
   * @param stdio - whose `stdout.write`/`stderr.write` are redirected (`process`).
   */
  constructor(
    publisher: LogPublisher,
    errorStream: LogStream,
    stdio: StandardIO,
    options: LogBeginnerOptions = {},
  ) {
    this.#publisher = publisher;
    this.#stdio = stdio;
    this.#initialBuffer = new LimitedHistoryLogObserver(
      options.initialBufferSize ?? DEFAULT_BUFFER_MAXIMUM,
    );
    const criticalToErrorStream = new FilteringLogObserver(
      new FileLogObserver(errorStream, (event) => {
        const text = eventAsText(event, { includeTimestamp: false, includeSystem: false });
        return text ? `${text}\n` : null;
      }),
      [new LogLevelFilterPredicate("critical")],
    );
    this.#temporaryObserver = new LogPublisher(this.#initialBuffer, criticalToErrorStream);
    publisher.addObserver(this.#temporaryObserver);
  }

  /**
   * Begin logging to `observers`. Meant to be called once, by the program's entry point:
   *
   * ```ts
   * globalLogBeginner.beginLoggingTo([textFileLogObserver(process.stdout)]);
   * ```
   *
   * Adds the observers to the publisher; the first time, replays the buffered events to them
   * (unless `discardBuffer`) and stops buffering and writing critical events to the error
   * stream. A second call adds its observers too but logs {@link MORE_THAN_ONCE_WARNING}.
   * Then redirects standard I/O unless `redirectStandardIO` is false.
   *
   * @throws {TypeError} if an observer is not callable (observers before it stay added).
   */
  beginLoggingTo(observers: Iterable<ILogObserver>, options: BeginLoggingOptions = {}): void {
    const location = callerLocation();
    for (const observer of observers) this.#publisher.addObserver(observer);
    if (this.#temporaryObserver !== undefined) {
      this.#publisher.removeObserver(this.#temporaryObserver);
      this.#temporaryObserver = undefined;
      if (!options.discardBuffer) this.#initialBuffer.replayTo(this.#publisher);
      this.#initialBuffer.clear();
    } else {
      this.#publisher(
        makeEvent("warn", MORE_THAN_ONCE_WARNING, "torsion.logger", this, {
          locationNow: location,
          locationThen: this.#previousBegin,
        }),
      );
    }
    this.#previousBegin = location;
    if ((options.redirectStandardIO ?? true) && this.#restoreStdio.length === 0) {
      this.#restoreStdio = [
        redirectStream(this.#stdio.stdout, "stdout", "info", this.#publisher),
        redirectStream(this.#stdio.stderr, "stderr", "error", this.#publisher),
      ];
    }
  }

  /** Put standard output and error back as they were before {@link beginLoggingTo}. */
  stopRedirectingStandardIO(): void {
    for (const restore of this.#restoreStdio) restore();
    this.#restoreStdio = [];
  }
}

/** `file:line:column` of the caller of the caller, for {@link MORE_THAN_ONCE_WARNING}. */
function callerLocation(): string {
  const lines = (new Error().stack ?? "").split("\n");
  // [0] "Error", [1] callerLocation, [2] beginLoggingTo, [3] its caller.
  const frame = lines[3]?.trim() ?? "";
  const m = /\(?([^()\s]+:\d+:\d+)\)?$/.exec(frame);
  return m?.[1] ?? (frame || "unknown");
}

/**
 * The publisher every {@link Logger} sends to by default. Add observers with
 * {@link LogBeginner.beginLoggingTo} on {@link globalLogBeginner} rather than directly, so
 * the events logged before are replayed.
 */
export const globalLogPublisher: LogPublisher = new LogPublisher();

/**
 * The process's {@link LogBeginner}: buffers {@link globalLogPublisher}'s events (and
 * writes critical ones to `process.stderr`) until `beginLoggingTo` is called. `process`
 * is only touched when something is written or redirected, never at import.
 */
export const globalLogBeginner: LogBeginner = new LogBeginner(
  globalLogPublisher,
  { write: (text: string): unknown => process.stderr.write(text) },
  {
    get stdout(): StandardIO["stdout"] {
      return process.stdout;
    },
    get stderr(): StandardIO["stderr"] {
      return process.stderr;
    },
  },
);
