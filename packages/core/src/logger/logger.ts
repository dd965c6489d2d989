/**
 * The {@link Logger}, after `twisted.logger.Logger`.
 *
 * @module
 */

import { inspect } from "node:util";
import { InvalidLogLevelError } from "../errors.ts";
import { Failure } from "../failure.ts";
import type { ILogObserver, LogEvent } from "./event.ts";
import { globalLogPublisher } from "./global.ts";
import { isLogLevel, LogLevel } from "./levels.ts";

/**
 * Emits log events to an observer (by default {@link globalLogPublisher}). Create one per
 * module or class, named after it:
 *
 * ```ts
 * const log = new Logger("myapp.echo");
 * log.info("{peer} connected", { peer: transport.getPeer() });
 * d.addErrback((f) => log.failure("While frobbing {knob}", f, { knob }));
 * ```
 *
 * Messages are format strings rendered against the event, so the values stay structured
 * (the JSON observer writes them as fields) and nothing is formatted unless an observer asks.
 * Logging to a `LogPublisher` (the default) never throws: observers' errors are
 * reported to the other observers.
 */
export class Logger {
  /** Dotted name of what logs through this logger; the event's `log_namespace`. */
  readonly namespace: string;
  /** The object the events are about; the event's `log_source`. */
  readonly source: unknown;
  /** Where events go. */
  readonly observer: ILogObserver;

  /**
   * @param namespace - the events' `log_namespace`; default `"<unknown>"` (JavaScript has no
   *   calling-module name for Twisted's default).
   * @param source - the events' `log_source`.
   * @param observer - default {@link globalLogPublisher} (a `LogPublisher` is itself an
   *   observer).
   */
  constructor(namespace?: string, source?: unknown, observer?: ILogObserver) {
    this.namespace = namespace ?? "<unknown>";
    this.source = source;
    this.observer = observer ?? globalLogPublisher;
  }

  /**
   * Emit an event at `level`. `fields` become the event's own keys (copied, so later
   * mutation of the object does not change the event); the `log_*` keys are then set,
   * except `log_system` and `log_failure`, which callers may pass in `fields`.
   *
   * An invalid `level` is itself reported, with {@link InvalidLogLevelError}, at `critical`.
   */
  emit(level: LogLevel, format?: string | null, fields?: Record<string, unknown>): void {
    if (!isLogLevel(level)) {
      this.failure(
        "Got invalid log level {invalidLevel!r} in {logger}.emit().",
        new Failure(new InvalidLogLevelError(level)),
        { invalidLevel: level, logger: this },
      );
      return;
    }
    const event = { ...fields } as LogEvent;
    event.log_logger = this;
    event.log_level = level;
    event.log_namespace = this.namespace;
    event.log_source = this.source;
    event.log_format = format ?? null;
    event.log_time = Date.now() / 1000;
    this.observer(event);
  }

  /**
   * Log a failure with its traceback, at `critical` by default: use it for errors nobody
   * expected (an exception a callback threw); an error that is handled should be logged with
   * {@link Logger.error} instead.
   *
   * JavaScript has no "exception in flight" for Twisted's `Failure()` to capture, so calling
   * this without a failure is a programming error: it is logged anyway, with a Failure whose
   * stack points at the call.
   */
  failure(
    format: string,
    failure?: Failure,
    fields?: Record<string, unknown>,
    level: LogLevel = LogLevel.critical,
  ): void {
    const f =
      failure === undefined || failure === null
        ? new Failure(new TypeError("Logger.failure() was called without a failure"))
        : Failure.from(failure);
    this.emit(level, format, { ...fields, log_failure: f });
  }

  /** Emit an event at `debug`: of use to a developer diagnosing the software. */
  debug(format: string, fields?: Record<string, unknown>): void {
    this.emit("debug", format, fields);
  }

  /** Emit an event at `info`: routine information. */
  info(format: string, fields?: Record<string, unknown>): void {
    this.emit("info", format, fields);
  }

  /** Emit an event at `warn`: may need attention, not a systemic failure. */
  warn(format: string, fields?: Record<string, unknown>): void {
    this.emit("warn", format, fields);
  }

  /** Emit an event at `error`: a systemic failure. */
  error(format: string, fields?: Record<string, unknown>): void {
    this.emit("error", format, fields);
  }

  /** Emit an event at `critical`: must be handled now. */
  critical(format: string, fields?: Record<string, unknown>): void {
    this.emit("critical", format, fields);
  }

  /** `<Logger 'namespace'>`, as Twisted's repr. */
  toString(): string {
    return `<Logger ${JSON.stringify(this.namespace)}>`;
  }
}

// Show loggers in inspected events as `<Logger "ns">`, not with their observer and source.
// (Defined here: a computed `[inspect.custom]` member cannot be declared under
// isolatedDeclarations.)
Object.defineProperty(Logger.prototype, inspect.custom, {
  value(this: Logger): string {
    return this.toString();
  },
});
