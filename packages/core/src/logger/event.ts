/**
 * The log event: a plain object with Twisted's `log_*` keys plus the event's own fields.
 *
 * @module
 */

import type { Failure } from "../failure.ts";
import type { LogLevel } from "./levels.ts";

/** What an event keeps of the {@link Logger} that emitted it: its namespace and source. */
export interface LogEmitter {
  /** The logger's namespace, e.g. `torsion.tcp`. */
  readonly namespace: string;
  /** The object the logger belongs to, if any. */
  readonly source: unknown;
}

/**
 * One log event, as Twisted's event dict. {@link Logger} builds it from the fields given to
 * `info(...)` and friends, then sets the `log_*` keys; observers receive it unchanged.
 *
 * Keys starting with `log_` belong to the logging system; every other key is the event's own
 * data, available to its format string (`log.info("{peer} connected", { peer })`) and written
 * by the JSON observer.
 */
export interface LogEvent {
  /** The format string, rendered against the event by `formatEvent` (`@torsion/core/logger`); `null` for none. */
  log_format: string | null;
  /** The event's level. */
  log_level: LogLevel;
  /** Dotted name of what logged it (a module, a class): `"torsion.reactor"`. */
  log_namespace: string;
  /** The object the event is about (the logger's `source`), if any. */
  log_source?: unknown;
  /** When it was logged: seconds since the epoch, fractional (`Date.now() / 1000`). */
  log_time: number;
  /** The error being reported, set by {@link Logger.failure}. */
  log_failure?: Failure;
  /**
   * Who logged it, as Twisted's `log_system`: a per-connection prefix such as
   * `"Echo,3,127.0.0.1"`. When set, text lines show `[system]` instead of
   * `[namespace#level]`.
   */
  log_system?: string;
  /** The {@link Logger} that emitted it (typed as {@link LogEmitter}: this file imports no Logger). */
  log_logger?: LogEmitter;
  /** The event's own fields. */
  [key: string]: unknown;
}

/** Something that receives log events (Twisted's `ILogObserver`). */
export type ILogObserver = (event: LogEvent) => void;

/**
 * Build an event the way {@link Logger.emit} does, for code that cannot import the Logger
 * (the publisher and the beginner, which the Logger itself depends on). Internal.
 */
export function makeEvent(
  level: LogLevel,
  format: string | null,
  namespace: string,
  source: unknown,
  fields: Record<string, unknown> | undefined,
): LogEvent {
  const event = { ...fields } as LogEvent;
  event.log_level = level;
  event.log_namespace = namespace;
  event.log_source = source;
  event.log_format = format;
  event.log_time = Date.now() / 1000;
  return event;
}
