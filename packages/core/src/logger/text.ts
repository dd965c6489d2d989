/**
 * {@link textFileLogObserver}: classic text log lines, after Twisted's
 * `textFileLogObserver`.
 *
 * @module
 */

import { FileLogObserver, type LogStream } from "./file.ts";
import { formatEventAsClassicLogText, formatTime, timeFormatRFC3339 } from "./format.ts";

/** Options of {@link textFileLogObserver}. */
export interface TextFileLogObserverOptions {
  /**
   * strftime-style format of the timestamp (see {@link formatTime}); default
   * {@link timeFormatRFC3339}. `null` writes `-` instead of a time.
   */
  timeFormat?: string | null;
  /** Replace the time formatting altogether (`log_time` in seconds → text). */
  formatTime?: (when: number | undefined) => string;
}

/**
 * An observer that writes one classic line per event to `stream`:
 *
 * ```text
 * 2026-11-24T04:18:23+0000 [torsion.reactor#info] Received SIGTERM, shutting down.
 * 2026-11-24T13:32:32+0000 [Echo,3,127.0.0.1] Connection lost
 * ```
 *
 * `[system]` is the event's `log_system` when set, else `[namespace#level]`; times are local
 * with their offset. Continuation lines (a multi-line message, a failure's traceback) are
 * indented by a tab, so every line that starts without one begins an event.
 */
export function textFileLogObserver(
  stream: LogStream,
  options: TextFileLogObserverOptions = {},
): FileLogObserver {
  const timeFormat = options.timeFormat === undefined ? timeFormatRFC3339 : options.timeFormat;
  const timeFormatter = options.formatTime ?? ((when) => formatTime(when, timeFormat));
  return new FileLogObserver(stream, (event) => formatEventAsClassicLogText(event, timeFormatter));
}
