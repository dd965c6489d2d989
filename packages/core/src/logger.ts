/**
 * `@torsion/core/logger`: for code that writes or wires log observers — the publisher and
 * beginner, the observers (file, text, JSON, filtering, limited history), formatting, filters
 * and levels. A program that only logs needs the root: `Logger`, `LogLevel`,
 * `globalLogBeginner`, `textFileLogObserver`, `jsonFileLogObserver`.
 *
 * ```ts
 * import { FilteringLogObserver, LogLevelFilterPredicate, globalLogPublisher } from "@torsion/core/logger";
 * ```
 *
 * @module
 */

export { InvalidLogLevelError } from "./errors.ts";
export { DEFAULT_BUFFER_MAXIMUM, LimitedHistoryLogObserver } from "./logger/buffer.ts";
export type { ILogObserver, LogEmitter, LogEvent } from "./logger/event.ts";
export type { LogStream } from "./logger/file.ts";
export { FileLogObserver } from "./logger/file.ts";
export type { ILogFilterPredicate } from "./logger/filter.ts";
export {
  FilteringLogObserver,
  LogLevelFilterPredicate,
  PredicateResult,
  shouldLogEvent,
} from "./logger/filter.ts";
export type { EventAsTextOptions } from "./logger/format.ts";
export {
  eventAsText,
  formatEvent,
  formatEventAsClassicLogText,
  formatSystem,
  formatTime,
  formatTraceback,
  timeFormatRFC3339,
} from "./logger/format.ts";
export { formatWithCall } from "./logger/format-string.ts";
export type { BeginLoggingOptions, LogBeginnerOptions } from "./logger/global.ts";
export {
  globalLogBeginner,
  globalLogPublisher,
  LogBeginner,
  MORE_THAN_ONCE_WARNING,
} from "./logger/global.ts";
export { eventAsJSON, jsonFileLogObserver, pinoLevels } from "./logger/json.ts";
export {
  compareLogLevels,
  isLogLevel,
  LogLevel,
  logLevelFromName,
  logLevelPriority,
} from "./logger/levels.ts";
export { Logger } from "./logger/logger.ts";
export {
  bitbucketLogObserver,
  LogObserver,
  LogPublisher,
  OBSERVER_DISABLED,
} from "./logger/observer.ts";
export type { RedirectableStream, StandardIO } from "./logger/stdio.ts";
export type { TextFileLogObserverOptions } from "./logger/text.ts";
export { textFileLogObserver } from "./logger/text.ts";
export { logUnhandledRejections } from "./task/unhandled.ts";
