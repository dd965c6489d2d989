/**
 * `twist`'s process-wide error handlers: an unhandled rejection is logged as "Unhandled
 * error" with its stack and the server keeps running; an uncaught exception is logged as
 * critical, then the services stop gracefully (draining as on SIGTERM) and `twist` exits 1.
 *
 * @module
 */
import { Failure, Logger, LogLevel } from "@torsion/core";

const log = new Logger("torsion.twist");

/** The process events the handlers listen to (`process`, or an emitter in tests). */
export interface ProcessEvents {
  on(
    event: "unhandledRejection" | "uncaughtException",
    listener: (error: unknown) => void,
  ): unknown;
  off(
    event: "unhandledRejection" | "uncaughtException",
    listener: (error: unknown) => void,
  ): unknown;
}

/**
 * Install the handlers on `events`; `onFatal` is called after an uncaught exception is logged
 * (the first one; later ones are only logged).
 *
 * @returns A function that removes them.
 */
export function installProcessHandlers(events: ProcessEvents, onFatal: () => void): () => void {
  let fatal = false;
  const onRejection = (reason: unknown): void => {
    log.failure("Unhandled error", Failure.from(reason), {}, LogLevel.error);
  };
  const onException = (error: unknown): void => {
    log.failure(
      fatal
        ? "Uncaught exception while stopping"
        : "Uncaught exception: stopping the services, then exiting with status 1",
      Failure.from(error),
      {},
      LogLevel.critical,
    );
    if (fatal) return;
    fatal = true;
    onFatal();
  };
  events.on("unhandledRejection", onRejection);
  events.on("uncaughtException", onException);
  return () => {
    events.off("unhandledRejection", onRejection);
    events.off("uncaughtException", onException);
  };
}
