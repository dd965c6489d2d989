/**
 * Why a connection ended, told apart: {@link describeConnectionLoss} and the two reasons that
 * refine Twisted's `ConnectionDone` ({@link ConnectionTimedOut}, {@link UnsentDataDropped}).
 *
 * @module
 */
import {
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  ConnectionTimedOut,
  UnsentDataDropped,
} from "../errors.ts";
import type { Failure } from "../failure.ts";

export { ConnectionTimedOut, UnsentDataDropped };

/** The kinds of connection end {@link describeConnectionLoss} tells apart. */
export type ConnectionLossKind = "clean" | "lost" | "aborted" | "timedOut" | "droppedAtShutdown";

/** What {@link describeConnectionLoss} says about a connection's end. */
export interface ConnectionLossDescription {
  /** What happened. */
  kind: ConnectionLossKind;
  /**
   * A short phrase for a log line: `closed cleanly`, `lost (ECONNRESET)`, `aborted`,
   * `aborted (dataReceived threw …)`, `timed out`, `unsent data dropped at shutdown (120 bytes)`.
   */
  message: string;
  /** The system error code of a lost connection (`ECONNRESET`, `EPIPE`, `ETIMEDOUT`), if any. */
  code?: string;
}

/**
 * Tell apart how a connection ended from the `reason` its `connectionLost` got: a clean close,
 * a loss (with the system error code when there is one), an abort (`abortConnection`, a
 * callback's exception, the unsent-data ceiling), an idle timeout, or unsent data dropped at
 * shutdown. For connection logs:
 *
 * ```ts
 * connectionLost(reason: Failure): void {
 *   log.info("connection {how}", { how: describeConnectionLoss(reason).message });
 * }
 * ```
 */
export function describeConnectionLoss(reason: Failure): ConnectionLossDescription {
  const v = reason.value;
  if (v instanceof ConnectionTimedOut) return { kind: "timedOut", message: "timed out" };
  if (v instanceof UnsentDataDropped)
    return {
      kind: "droppedAtShutdown",
      message: `unsent data dropped at shutdown (${v.unsent} bytes)`,
    };
  if (v instanceof ConnectionDone) return { kind: "clean", message: "closed cleanly" };
  if (v instanceof ConnectionAborted) {
    const detail = abortDetail(v.message);
    return { kind: "aborted", message: detail === "" ? "aborted" : `aborted (${detail})` };
  }
  const code = errorCode(v);
  if (v instanceof ConnectionLost || code !== undefined) {
    const description: ConnectionLossDescription = {
      kind: "lost",
      message: `lost (${code ?? reason.getErrorMessage()})`,
    };
    if (code !== undefined) description.code = code;
    return description;
  }
  return { kind: "lost", message: `lost (${reason.getErrorMessage()})` };
}

/** The system error code on `error` or along its `cause` chain. */
function errorCode(error: unknown): string | undefined {
  let e = error;
  for (let depth = 0; depth < 8 && typeof e === "object" && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** `Connection aborted: dataReceived threw X` → `dataReceived threw X`; the default message → ``. */
function abortDetail(message: string): string {
  if (message === new ConnectionAborted().message) return "";
  return message.replace(/^Connection aborted:\s*/, "");
}
