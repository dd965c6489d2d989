/**
 * Where a Deferred's unhandled Failure is reported (Twisted logs it from `DebugInfo.__del__`,
 * at garbage collection; Torsion logs at the end of the turn in which the chain ended).
 *
 * @module
 */
import type { Failure } from "../failure.ts";
import { Logger } from "../logger/logger.ts";

const log = new Logger("torsion.deferred");

/**
 * Log (at `critical`, with the traceback) a Failure that ended a Deferred's chain with no
 * errback to handle it. `debugInfo` holds the creation/first-fire stacks in debug mode.
 */
export function reportUnhandled(failure: Failure, debugInfo: string | undefined): void {
  if (debugInfo) {
    log.failure("Unhandled error in Deferred:\n(debug: {debugInfo})", failure, { debugInfo });
  } else {
    log.failure("Unhandled error in Deferred:", failure);
  }
}

/** Log (at `info`) that a Failure reported by {@link reportUnhandled} was handled after all. */
export function reportHandledLater(failure: Failure): void {
  log.info("Unhandled error in Deferred handled later: {failure}", { failure: failure.toString() });
}

/** Log a canceller that threw while a combinator was cancelling its inputs. */
export function reportCancellerError(failure: Failure): void {
  log.failure("Exception raised from user supplied canceller", failure);
}
