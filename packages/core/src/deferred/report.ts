/**
 * Where a Deferred's unhandled Failure is reported (Twisted logs it from `DebugInfo.__del__`;
 * Torsion logs at the end of the turn instead of at garbage collection).
 *
 * @module
 */
import type { Failure } from "../failure.ts";

// TEMPORARY until packages/core/src/logger lands: console output with the same wording.

/** Log a Failure that ended a Deferred's chain with no errback to handle it. */
export function reportUnhandled(failure: Failure, debugInfo: string | undefined): void {
  const debug = debugInfo ? `\n(debug: ${debugInfo})` : "";
  console.error(`Unhandled error in Deferred:${debug}\n${failure.getTraceback()}`);
}

/** Log that a Failure reported by {@link reportUnhandled} was handled after all. */
export function reportHandledLater(failure: Failure): void {
  console.info(`Unhandled error in Deferred was handled later: ${failure.toString()}`);
}

/** Log a canceller that threw while a combinator was cancelling its inputs. */
export function reportCancellerError(failure: Failure): void {
  console.error(`Exception raised from user supplied canceller\n${failure.getTraceback()}`);
}
