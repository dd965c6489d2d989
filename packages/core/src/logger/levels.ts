/**
 * Log levels, after `twisted.logger.LogLevel`.
 *
 * @module
 */

import { InvalidLogLevelError } from "../errors.ts";

/**
 * The level of a log event, least to most severe:
 *
 * - `debug`: of use to a developer diagnosing the software;
 * - `info`: routine information (a connection arrived, a service started);
 * - `warn`: may need attention but is not a systemic failure (bad data from a client);
 * - `error`: a systemic failure (an unhandled exception, a lost database);
 * - `critical`: a failure to handle now (outage, data loss), or an error whose cause and
 *   consequences are unknown (what {@link Logger.failure} logs by default).
 */
export type LogLevel = "debug" | "info" | "warn" | "error" | "critical";

const levels: readonly LogLevel[] = Object.freeze(["debug", "info", "warn", "error", "critical"]);

const priorities: Readonly<Record<LogLevel, number>> = Object.freeze({
  debug: 0,
  info: 1,
  warn: 2,
  error: 3,
  critical: 4,
});

// Names accepted by logLevelFromName besides the five level names (case is ignored).
const aliases: Readonly<Record<string, LogLevel>> = Object.freeze({
  warning: "warn",
  fatal: "critical",
});

/** Whether `value` is one of the five {@link LogLevel} names. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && Object.hasOwn(priorities, value);
}

/**
 * The level named `name`, as Twisted's `LogLevel.levelWithName`. Case is ignored, and
 * `warning` and `fatal` are accepted for `warn` and `critical` (what command lines and other
 * loggers call them).
 *
 * @throws {InvalidLogLevelError} if `name` names no level.
 */
export function logLevelFromName(name: string): LogLevel {
  const lower = typeof name === "string" ? name.toLowerCase() : "";
  if (isLogLevel(lower)) return lower;
  const alias = Object.hasOwn(aliases, lower) ? aliases[lower] : undefined;
  if (alias !== undefined) return alias;
  throw new InvalidLogLevelError(name);
}

/**
 * The level's rank: 0 for `debug` up to 4 for `critical`.
 *
 * @throws {InvalidLogLevelError} if `level` is not a {@link LogLevel}.
 */
export function logLevelPriority(level: LogLevel): number {
  if (!isLogLevel(level)) throw new InvalidLogLevelError(level);
  return priorities[level];
}

/** Negative if `a` is less severe than `b`, zero if equal, positive if more severe. */
export function compareLogLevels(a: LogLevel, b: LogLevel): number {
  return logLevelPriority(a) - logLevelPriority(b);
}

/**
 * The {@link LogLevel} constants and their ordering:
 *
 * ```ts
 * log.emit(LogLevel.warn, "disk {percent}% full", { percent });
 * if (LogLevel.isAtLeast(event.log_level, LogLevel.error)) page(event);
 * ```
 */
export const LogLevel: {
  readonly debug: "debug";
  readonly info: "info";
  readonly warn: "warn";
  readonly error: "error";
  readonly critical: "critical";
  /** Every level, least to most severe. */
  readonly levels: readonly LogLevel[];
  /** See {@link logLevelFromName}. */
  readonly levelWithName: (name: string) => LogLevel;
  /** See {@link logLevelPriority}. */
  readonly priority: (level: LogLevel) => number;
  /** See {@link compareLogLevels}. */
  readonly compare: (a: LogLevel, b: LogLevel) => number;
  /** Whether `level` is `threshold` or more severe. */
  readonly isAtLeast: (level: LogLevel, threshold: LogLevel) => boolean;
  /** See {@link isLogLevel}. */
  readonly isLogLevel: (value: unknown) => value is LogLevel;
} = Object.freeze({
  debug: "debug",
  info: "info",
  warn: "warn",
  error: "error",
  critical: "critical",
  levels,
  levelWithName: logLevelFromName,
  priority: logLevelPriority,
  compare: compareLogLevels,
  isAtLeast: (level: LogLevel, threshold: LogLevel): boolean =>
    compareLogLevels(level, threshold) >= 0,
  isLogLevel,
});
