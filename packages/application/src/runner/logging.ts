/**
 * Where `twist` logs: `--log-file`, `--log-format`, `--log-level`.
 *
 * @module
 */
import { closeSync, openSync, writeSync } from "node:fs";
import {
  globalLogBeginner,
  type ILogObserver,
  jsonFileLogObserver,
  type LogLevel,
  textFileLogObserver,
} from "@torsion/core";
import {
  FilteringLogObserver,
  LogLevelFilterPredicate,
  type LogStream,
} from "@torsion/core/logger";

/** How to log. */
export interface LoggingOptions {
  /** `"-"` for standard output, else a file appended to. */
  file: string;
  /** `text` or `json`; default text when the destination is a terminal, JSON otherwise. */
  format: "text" | "json" | undefined;
  /** Events below this level are dropped. */
  level: LogLevel;
  /** Standard output, for `file: "-"`; default `process.stdout` (its `isTTY` picks the format). */
  stdout?: LogStream & { isTTY?: boolean };
}

/** The observer `twist` logs to, and how to close its file. */
export function makeLogObserver(options: LoggingOptions): {
  observer: ILogObserver;
  close(): void;
} {
  let stream: LogStream;
  let tty = false;
  let close = (): void => {};
  if (options.file === "-") {
    const stdout = options.stdout ?? process.stdout;
    stream = stdout;
    tty = stdout.isTTY === true;
  } else {
    // Synchronous appends: every line is in the file before the process exits, however it exits.
    const fd = openSync(options.file, "a");
    stream = { write: (text: string) => writeSync(fd, text) };
    close = () => closeSync(fd);
  }
  const format = options.format ?? (tty ? "text" : "json");
  const inner = format === "json" ? jsonFileLogObserver(stream) : textFileLogObserver(stream);
  return {
    observer: new FilteringLogObserver(inner, [new LogLevelFilterPredicate(options.level)]),
    close,
  };
}

/**
 * Begin logging to `options`' destination through the global log beginner (the events logged so
 * far are replayed; standard output and error become log events, as in Twisted).
 *
 * @returns A function that closes the log file (if any).
 */
export function beginLogging(options: LoggingOptions): () => void {
  const { observer, close } = makeLogObserver(options);
  globalLogBeginner.beginLoggingTo([observer]);
  return close;
}
