/**
 * Filtering observers and predicates, after `twisted.logger._filter`.
 *
 * @module
 */

import { inspect } from "node:util";
import { InvalidLogLevelError } from "../errors.ts";
import { callableBase } from "./callable.ts";
import type { ILogObserver, LogEvent } from "./event.ts";
import { isLogLevel, LogLevel, logLevelPriority } from "./levels.ts";
import { bitbucketLogObserver, LogObserver } from "./observer.ts";

/**
 * What a predicate says of an event: `yes` logs it without asking the next predicates, `no`
 * drops it without asking them, `maybe` leaves it to the next predicate (and logs it if
 * none is left).
 */
export type PredicateResult = "yes" | "no" | "maybe";

/** The {@link PredicateResult} constants. */
export const PredicateResult: {
  readonly yes: "yes";
  readonly no: "no";
  readonly maybe: "maybe";
} = Object.freeze({ yes: "yes", no: "no", maybe: "maybe" });

/** Decides whether an event should be logged (Twisted's `ILogFilterPredicate`). */
export type ILogFilterPredicate = (event: LogEvent) => PredicateResult;

/**
 * Whether `predicates` let `event` through: the first `yes` or `no` decides; all `maybe`
 * (or no predicates) means yes.
 *
 * @throws {TypeError} if a predicate returns something else than a {@link PredicateResult}.
 */
export function shouldLogEvent(
  predicates: Iterable<ILogFilterPredicate>,
  event: LogEvent,
): boolean {
  for (const predicate of predicates) {
    const result = predicate(event);
    if (result === "yes") return true;
    if (result === "no") return false;
    if (result !== "maybe") {
      throw new TypeError(`Invalid predicate result: ${inspect(result)}`);
    }
  }
  return true;
}

/**
 * An observer that forwards to `observer` the events that `predicates` let through (see
 * {@link shouldLogEvent}), and the others to `negativeObserver`:
 *
 * ```ts
 * const levels = new LogLevelFilterPredicate(LogLevel.info);
 * levels.setLogLevelForNamespace("torsion.reactor", LogLevel.debug);
 * globalLogBeginner.beginLoggingTo([new FilteringLogObserver(textFileLogObserver(process.stdout), [levels])]);
 * ```
 */
export class FilteringLogObserver extends LogObserver {
  readonly #observer: ILogObserver;
  readonly #predicates: readonly ILogFilterPredicate[];
  readonly #negativeObserver: ILogObserver;

  constructor(
    observer: ILogObserver,
    predicates: Iterable<ILogFilterPredicate>,
    negativeObserver: ILogObserver = bitbucketLogObserver,
  ) {
    super();
    this.#observer = observer;
    this.#predicates = [...predicates];
    this.#negativeObserver = negativeObserver;
  }

  /** Forward `event` to the observer or, if filtered out, to the negative observer. */
  override observe(event: LogEvent): void {
    if (shouldLogEvent(this.#predicates, event)) this.#observer(event);
    else this.#negativeObserver(event);
  }
}

/** Base of {@link LogLevelFilterPredicate}: instances are predicate functions. */
type PredicateFunction = (event: LogEvent) => PredicateResult;
const PredicateFunction: abstract new () => PredicateFunction = callableBase(
  "test",
) as abstract new () => PredicateFunction;

/**
 * A predicate that drops events below the level set for their namespace, and events with
 * no level or namespace; it answers `maybe` for the rest. The instance is the predicate
 * (call it, or {@link LogLevelFilterPredicate.test}).
 *
 * Levels apply to dotted namespaces and what is under them: after
 * `setLogLevelForNamespace("torsion", "debug")`, `torsion.reactor` logs at `debug` too.
 */
export class LogLevelFilterPredicate extends PredicateFunction {
  /** The level of namespaces that have none set. */
  readonly defaultLogLevel: LogLevel;
  readonly #levels = new Map<string, LogLevel>();

  /**
   * @param defaultLogLevel - default `info`.
   * @throws {InvalidLogLevelError} if `defaultLogLevel` is not a level.
   */
  constructor(defaultLogLevel: LogLevel = LogLevel.info) {
    super();
    if (!isLogLevel(defaultLogLevel)) throw new InvalidLogLevelError(defaultLogLevel);
    this.defaultLogLevel = defaultLogLevel;
  }

  /** The level for `namespace`: its own, else its nearest parent's, else the default. */
  logLevelForNamespace(namespace: string | null | undefined): LogLevel {
    if (!namespace) return this.#levels.get("") ?? this.defaultLogLevel;
    const own = this.#levels.get(namespace);
    if (own !== undefined) return own;
    let name = namespace;
    for (let dot = name.lastIndexOf("."); dot > 0; dot = name.lastIndexOf(".")) {
      name = name.slice(0, dot);
      const level = this.#levels.get(name);
      if (level !== undefined) return level;
    }
    return this.#levels.get("") ?? this.defaultLogLevel;
  }

  /**
   * Set the level for `namespace` and the namespaces under it; an empty namespace (or
   * null) sets the default.
   *
   * @throws {InvalidLogLevelError} if `level` is not a level.
   */
  setLogLevelForNamespace(namespace: string | null | undefined, level: LogLevel): void {
    if (!isLogLevel(level)) throw new InvalidLogLevelError(level);
    this.#levels.set(namespace ?? "", level);
  }

  /** Forget every level set, going back to the default. */
  clearLogLevels(): void {
    this.#levels.clear();
  }

  /** `no` for an event below its namespace's level (or lacking either), else `maybe`. */
  test(event: LogEvent): PredicateResult {
    const level = event.log_level as unknown;
    const namespace = event.log_namespace as unknown;
    if (!isLogLevel(level) || typeof namespace !== "string") return "no";
    const threshold = this.logLevelForNamespace(namespace);
    return logLevelPriority(level) < logLevelPriority(threshold) ? "no" : "maybe";
  }
}
