/**
 * {@link logUnhandledRejections}: a process-wide handler that logs an unhandled promise
 * rejection and keeps the process running (Node's default is to exit).
 *
 * @module
 */
import { Failure } from "../failure.ts";
import { Logger } from "../logger/logger.ts";

const log = new Logger("torsion.unhandled");

/**
 * Install a process-wide `unhandledRejection` handler that logs the rejection as
 * "Unhandled error" (critical, with its stack) instead of letting Node end the process. One
 * rejected promise that nobody awaited then costs a log line, not every connection. `react()`
 * installs it for the life of the reactor; the runner does too.
 *
 * @returns A function that removes the handler again.
 */
export function logUnhandledRejections(): () => void {
  const handler = (reason: unknown): void => {
    log.failure("Unhandled error", Failure.from(reason));
  };
  process.on("unhandledRejection", handler);
  return () => {
    process.removeListener("unhandledRejection", handler);
  };
}
