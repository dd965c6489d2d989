/**
 * Standard I/O redirection into the log, as Twisted's `LoggingFile` behind
 * `beginLoggingTo(..., redirectStandardIO=True)`. Internal: used by {@link LogBeginner}.
 *
 * @module
 */

import { type ILogObserver, makeEvent } from "./event.ts";
import { isWritingLogOutput } from "./file.ts";
import type { LogLevel } from "./levels.ts";

/** A writable whose `write` can be replaced: `process.stdout`, or a test double. */
export interface RedirectableStream {
  write: (...args: any[]) => unknown;
}

/** Where standard output and error live: `process`, or a test double. */
export interface StandardIO {
  readonly stdout: RedirectableStream;
  readonly stderr: RedirectableStream;
}

// A line longer than this is logged in pieces rather than buffered without bound.
const MAX_PARTIAL = 64 * 1024;

/**
 * Replace `stream.write` so that text written to it becomes log events (namespace
 * `stdout`/`stderr`, format `{log_io}`, one event per line) sent to `observer`. Writes made
 * by a log observer, or made while such an event is being delivered, go to the original
 * `write`, so a text log written to the same stream neither loops nor doubles.
 *
 * Returns a function that puts the original `write` back.
 */
export function redirectStream(
  stream: RedirectableStream,
  namespace: string,
  level: LogLevel,
  observer: ILogObserver,
): () => void {
  const hadOwn = Object.hasOwn(stream, "write");
  const ownWrite = stream.write;
  const original = ownWrite.bind(stream);
  let partial = "";
  let delivering = false;

  const emit = (line: string): void => {
    delivering = true;
    try {
      observer(makeEvent(level, "{log_io}", namespace, undefined, { log_io: line }));
    } catch {
      // The observer is a publisher, which does not throw; a plain observer might. Output
      // written to stdout must not throw at the writer because logging failed.
    } finally {
      delivering = false;
    }
  };

  const write = (chunk: unknown, ...rest: unknown[]): unknown => {
    if (delivering || isWritingLogOutput()) return original(chunk, ...rest);
    const encoding = typeof rest[0] === "string" ? (rest[0] as BufferEncoding) : "utf8";
    let text: string;
    if (typeof chunk === "string") text = chunk;
    else if (chunk instanceof Uint8Array) text = Buffer.from(chunk).toString(encoding);
    else text = String(chunk);
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) emit(line);
    while (partial.length > MAX_PARTIAL) {
      emit(partial.slice(0, MAX_PARTIAL));
      partial = partial.slice(MAX_PARTIAL);
    }
    const callback = rest[rest.length - 1];
    if (typeof callback === "function") queueMicrotask(() => callback());
    return true;
  };

  stream.write = write;
  return (): void => {
    if (stream.write !== write) return; // replaced again since: leave it
    if (hadOwn) stream.write = ownWrite;
    else delete (stream as { write?: unknown }).write;
  };
}
