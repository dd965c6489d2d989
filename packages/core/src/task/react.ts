/**
 * {@link react}: run the reactor for as long as a main function's work takes, then exit
 * (Twisted's `task.react`).
 *
 * @module
 */
import { maybeDeferred } from "../deferred/helpers.ts";
import { ReactorNotRunning } from "../errors.ts";
import { Failure } from "../failure.ts";
import type { IReactorCore } from "../interfaces.ts";
import { Logger } from "../logger/logger.ts";
import { reactor as defaultReactor } from "../reactor/default.ts";
import { logUnhandledRejections } from "./unhandled.ts";

const log = new Logger("torsion.task");

/** Options for {@link react}. */
export interface ReactOptions {
  /**
   * Called with the exit code (0 on success, 1 on failure) once the reactor has stopped.
   * Default: `process.exit(code)`, as Twisted's `react` exits. Tests pass their own.
   */
  exit?: (code: number) => void;
  /**
   * Log unhandled promise rejections as "Unhandled error" and keep running, while the reactor
   * runs ({@link logUnhandledRejections}). Default `true`.
   */
  logUnhandledRejections?: boolean;
}

/**
 * Call `main(reactor, ...argv)`, run the reactor until the Deferred or promise it returns
 * settles, then stop the reactor and exit: code 0 on success, 1 on failure (the failure is
 * logged as "main function encountered error"). While it runs, an unhandled promise rejection
 * is logged as "Unhandled error" and the program keeps running.
 *
 * The reactor is stopped exactly once: if something else stops it first (SIGINT, a call to
 * `stop()`), `react` only records the outcome and exits when shutdown is done (code 0 if
 * `main`'s work had not failed by then).
 *
 * ```ts
 * await react(async (reactor, host: string) => {
 *   const proto = await connectProtocol(clientFromString(reactor, `tcp:${host}:7`), new Echo());
 *   ...
 * }, [process.argv[2] ?? "localhost"]);
 * ```
 *
 * @param main The program: gets the reactor, then the elements of `argv`.
 * @param argv Extra arguments for `main`.
 * @param reactor The reactor to run; the default {@link @torsion/core!reactor} unless given.
 * @returns A promise that resolves after `exit` was called (it only matters when `exit` does
 *   not end the process).
 */
export async function react<
  A extends unknown[] = [],
  R extends IReactorCore = typeof defaultReactor,
>(
  main: (reactor: R, ...argv: A) => unknown,
  argv: A = [] as unknown as A,
  reactor: R = defaultReactor as unknown as R,
  options: ReactOptions = {},
): Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const unhook = options.logUnhandledRejections === false ? undefined : logUnhandledRejections();
  let code = 0;
  let stopping = false;
  reactor.addSystemEventTrigger("before", "shutdown", () => {
    stopping = true;
  });

  const finish = (result: unknown, stopReactor: boolean): void => {
    if (stopReactor) {
      try {
        reactor.stop();
      } catch (error) {
        if (!(error instanceof ReactorNotRunning)) throw error;
      }
    }
    if (result instanceof Failure) {
      log.failure("main function encountered error", result);
      code = 1;
    }
  };

  maybeDeferred(main, reactor, ...argv).addBoth((result: unknown) => {
    if (stopping) finish(result, false);
    else reactor.callWhenRunning(finish, result, true);
    return undefined;
  });

  try {
    await reactor.run();
  } catch (error) {
    log.failure("The reactor could not run", Failure.from(error));
    code = 1;
  }
  unhook?.();
  exit(code);
}
