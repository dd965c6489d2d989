/**
 * How a connection ended, in words for its "Connection lost" log line: closed cleanly, lost
 * (with the system error, `ECONNRESET`), aborted, timed out, or cut at shutdown.
 *
 * @module
 */
import { ConnectionAborted, ConnectionDone, ConnectionLost, type Failure } from "@torsion/core";

/** What the tracking wrapper knows about a connection besides its reason. */
export interface LossContext {
  /** Its idle timeout closed it, after this many seconds. */
  timedOutAfter?: number;
  /** The shutdown deadline cut it with this many bytes still unsent. */
  droppedAtShutdown?: number;
}

/**
 * The words after "Connection lost: " for `reason`. Until core describes losses itself, this
 * reads the error classes core exports and the system error's `code` on the cause.
 */
export function describeLoss(reason: Failure, context: LossContext = {}): string {
  if (context.droppedAtShutdown !== undefined)
    return `unsent data dropped at shutdown (${context.droppedAtShutdown} bytes)`;
  if (context.timedOutAfter !== undefined) return `timed out (idle for ${context.timedOutAfter} s)`;
  const error = reason.value;
  if (reason.check(ConnectionAborted) !== undefined) {
    const why = causeText(error);
    return why === undefined ? "aborted" : `aborted (${why})`;
  }
  if (reason.check(ConnectionDone) !== undefined) return "closed cleanly";
  if (reason.check(ConnectionLost) !== undefined) {
    const why = causeText(error);
    return why === undefined ? "lost" : `lost (${why})`;
  }
  return `lost (${reason.getErrorMessage()})`;
}

/** The system error code (`ECONNRESET`) or message of the error's cause, if it has one. */
function causeText(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | null)?.cause as
    | { code?: unknown; message?: unknown }
    | undefined;
  if (cause === undefined || cause === null) return undefined;
  if (typeof cause.code === "string") return cause.code;
  if (typeof cause.message === "string" && cause.message !== "") return cause.message;
  return undefined;
}
