/**
 * Where `twist` logs: `--log-file`, `--log-format`, `--log-level`.
 *
 * @module
 */
import { closeSync, openSync, writeSync } from "node:fs";
import {
  FilteringLogObserver,
  type ILogObserver,
  jsonFileLogObserver,
  type LogLevel,
  LogLevelFilterPredicate,
  type LogStream,
  textFileLogObserver,
} from "@torsion/core";
import { StartupError } from "./startup-error.ts";

/** A stream `twist` may log to; `isTTY` picks the default format. */
export type TerminalStream = LogStream & { isTTY?: boolean };

/** How to log. */
export interface LoggingOptions {
  /** `"-"` for standard output, `"+"` for standard error (as Twisted's), else a file appended to. */
  file: string;
  /** `text` or `json`; default text when the destination is a terminal, JSON otherwise. */
  format: "text" | "json" | undefined;
  /** Events below this level are dropped. */
  level: LogLevel;
  /** Standard output, for `file: "-"`; default `process.stdout`. */
  stdout?: TerminalStream;
  /** Standard error, for `file: "+"`; default `process.stderr`. */
  stderr?: TerminalStream;
}

/**
 * The observer `twist` logs to, and how to close its file.
 *
 * @throws StartupError if the log file cannot be opened (a directory, a missing directory,
 *   no permission), saying which and what to do.
 */
export function makeLogObserver(options: LoggingOptions): {
  observer: ILogObserver;
  close(): void;
} {
  let stream: TerminalStream;
  let close = (): void => {};
  if (options.file === "-") stream = options.stdout ?? process.stdout;
  else if (options.file === "+") stream = options.stderr ?? process.stderr;
  else {
    // Synchronous appends: every line is in the file before the process exits, however it exits.
    let fd: number;
    try {
      fd = openSync(options.file, "a");
    } catch (error) {
      throw new StartupError(`cannot open --log-file ${options.file}: ${why(error)}`, {
        cause: error,
      });
    }
    stream = { write: (text: string) => writeSync(fd, text) };
    close = () => closeSync(fd);
  }
  const format = options.format ?? (stream.isTTY === true ? "text" : "json");
  const inner = format === "json" ? jsonFileLogObserver(stream) : textFileLogObserver(stream);
  return {
    observer: new FilteringLogObserver(inner, [new LogLevelFilterPredicate(options.level)]),
    close,
  };
}

function why(error: unknown): string {
  switch ((error as { code?: unknown })?.code) {
    case "EISDIR":
      return "it is a directory; name a file in it";
    case "ENOENT":
      return "its directory does not exist; create it or name another file";
    case "EACCES":
    case "EPERM":
      return "permission denied; name a file this user may write";
    default:
      return (error as Error)?.message ?? String(error);
  }
}
