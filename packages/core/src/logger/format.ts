/**
 * Turning events into text, after `twisted.logger._format`: the message alone
 * ({@link formatEvent}), timestamps ({@link formatTime}), and the classic log line
 * `2026-11-24T04:18:23+0000 [namespace#info] message` ({@link formatEventAsClassicLogText}).
 *
 * @module
 */

import { inspect } from "node:util";
import type { Failure } from "../failure.ts";
import type { LogEvent } from "./event.ts";
import { formatWithCall } from "./format-string.ts";

/** Twisted's default time format, RFC 3339 with a numeric offset: `2026-11-24T04:18:23+0000`. */
export const timeFormatRFC3339 = "%Y-%m-%dT%H:%M:%S%z";

/**
 * The event's message: its `log_format` rendered with its own keys (see
 * {@link formatWithCall} for the syntax). Returns `""` when the event has no format.
 *
 * Never throws: a format that cannot be rendered (malformed, a field whose getter or
 * `toString` throws) gives `Unable to format event {...}: <error>` instead, so the event is
 * still seen. A key the event lacks renders as `<MISSING KEY: name>`.
 */
export function formatEvent(event: LogEvent): string {
  try {
    const format = event.log_format;
    if (format === null || format === undefined) return "";
    if (typeof format !== "string") {
      throw new TypeError(`Log format must be a string, not ${inspect(format)}`);
    }
    return formatWithCall(format, event);
  } catch (error) {
    return formatUnformattableEvent(event, error);
  }
}

/** Describe an event whose format failed, and why. Never throws. */
export function formatUnformattableEvent(event: LogEvent, error: unknown): string {
  try {
    const shown = inspect(event, {
      depth: 1,
      breakLength: Number.POSITIVE_INFINITY,
      maxArrayLength: 20,
      maxStringLength: 500,
    });
    return `Unable to format event ${shown}: ${errorText(error)}`;
  } catch (nasty) {
    // Even inspecting the event threw (a hostile Proxy, say): keep what can be kept, which
    // hopefully includes the namespace and format, so the offending logger can be found.
    const parts: string[] = [];
    for (const key of safeKeys(event)) {
      let text: string;
      try {
        const value = (event as Record<string, unknown>)[key];
        text = typeof value === "string" ? JSON.stringify(value) : typeof value;
      } catch {
        text = "?";
      }
      parts.push(`${key} = ${text}`);
    }
    return (
      `MESSAGE LOST: unformattable object logged: ${errorText(error)}\n` +
      `Recoverable data: ${parts.join(", ")}\n` +
      `Exception during formatting: ${errorText(nasty)}`
    );
  }
}

function safeKeys(value: object): string[] {
  try {
    return Object.keys(value);
  } catch {
    return [];
  }
}

function errorText(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return String(error);
  } catch {
    return "(unprintable error)";
  }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Format a timestamp (seconds since the epoch, as `log_time`) in local time with a
 * strftime-style `timeFormat`, as Twisted's `formatTime`. Supported: `%Y %y %m %d %e %H %I %M
 * %S %f %p %z %j %a %b %s %%`; others are left as written. Returns `defaultText` when `when`
 * or `timeFormat` is null/undefined or `when` is not a finite number.
 */
export function formatTime(
  when: number | null | undefined,
  timeFormat: string | null = timeFormatRFC3339,
  defaultText = "-",
): string {
  if (timeFormat === null || when === null || when === undefined || !Number.isFinite(when)) {
    return defaultText;
  }
  const ms = when * 1000;
  const d = new Date(Math.floor(ms));
  if (Number.isNaN(d.getTime())) return defaultText;
  return timeFormat.replace(/%(.)/gs, (whole, code: string) => {
    switch (code) {
      case "Y":
        return String(d.getFullYear());
      case "y":
        return pad(d.getFullYear() % 100);
      case "m":
        return pad(d.getMonth() + 1);
      case "d":
        return pad(d.getDate());
      case "e":
        return String(d.getDate()).padStart(2, " ");
      case "H":
        return pad(d.getHours());
      case "I":
        return pad(d.getHours() % 12 || 12);
      case "M":
        return pad(d.getMinutes());
      case "S":
        return pad(d.getSeconds());
      case "f":
        return pad(Math.floor((((ms % 1000) + 1000) % 1000) * 1000), 6);
      case "p":
        return d.getHours() < 12 ? "AM" : "PM";
      case "j": {
        const start = new Date(d.getFullYear(), 0, 1);
        return pad(Math.round((d.getTime() - start.getTime()) / 86_400_000) + 1, 3);
      }
      case "a":
        return DAYS[d.getDay()]!;
      case "b":
        return MONTHS[d.getMonth()]!;
      case "s":
        return String(Math.floor(when));
      case "z": {
        const offset = -d.getTimezoneOffset();
        const sign = offset < 0 ? "-" : "+";
        const abs = Math.abs(offset);
        return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
      }
      case "%":
        return "%";
      default:
        return whole;
    }
  });
}

/** Options of {@link eventAsText}. */
export interface EventAsTextOptions {
  /** Append the `log_failure` traceback on the following lines. Default true. */
  includeTraceback?: boolean;
  /** Start with the formatted `log_time` and a space. Default true. */
  includeTimestamp?: boolean;
  /** Then `[system] ` (or `[namespace#level] `). Default true. */
  includeSystem?: boolean;
  /** How to format `log_time`; default {@link formatTime} with {@link timeFormatRFC3339}. */
  formatTime?: (when: number | undefined) => string;
}

/**
 * The event as text, as Twisted's `eventAsText`: `{time} [{system}] {message}` then, on the
 * next lines, the failure's traceback. Returns `""` when there is neither message nor
 * traceback (even if timestamp or system were asked for).
 */
export function eventAsText(event: LogEvent, options: EventAsTextOptions = {}): string {
  let text = formatEvent(event);
  if ((options.includeTraceback ?? true) && event.log_failure !== undefined) {
    text = `${text}\n${formatTraceback(event.log_failure)}`;
  }
  if (!text) return text;
  let prefix = "";
  if (options.includeTimestamp ?? true) {
    const timeFormatter = options.formatTime ?? ((when) => formatTime(when));
    prefix += `${safeCall(() => timeFormatter(event.log_time), "-")} `;
  }
  if (options.includeSystem ?? true) {
    prefix += `[${formatSystem(event)}] `;
  }
  return prefix + text;
}

/**
 * One line of a classic text log, as Twisted's `formatEventAsClassicLogText`:
 * `2026-11-24T04:18:23+0000 [namespace#level] message\n`, or `[system]` when the event has a
 * `log_system`. Continuation lines (a multi-line message, the failure's traceback) are
 * indented by a tab. Returns `null` when there is nothing to write.
 */
export function formatEventAsClassicLogText(
  event: LogEvent,
  formatTimeFn: (when: number | undefined) => string = (when) => formatTime(when),
): string | null {
  const text = eventAsText(event, { formatTime: formatTimeFn });
  if (!text) return null;
  return `${text.replaceAll("\n", "\n\t")}\n`;
}

/**
 * The `[...]` part of a text line: `log_system` if set, else `namespace#level` (each `-` when
 * absent), or `UNFORMATTABLE` if the system cannot be turned into text.
 */
export function formatSystem(event: LogEvent): string {
  const system = event.log_system as unknown;
  if (system === undefined || system === null) {
    const namespace = (event.log_namespace as unknown) ?? "-";
    const level = (event.log_level as unknown) ?? "-";
    return `${safeCall(() => String(namespace), "-")}#${safeCall(() => String(level), "-")}`;
  }
  return safeCall(() => String(system), "UNFORMATTABLE");
}

/** A failure's traceback, or a note saying why it could not be had. Never throws. */
export function formatTraceback(failure: Failure): string {
  try {
    const f = failure as unknown as { getTraceback?: () => string };
    if (typeof f.getTraceback === "function") return f.getTraceback();
    return `(UNABLE TO OBTAIN TRACEBACK FROM EVENT): ${inspect(failure)}`;
  } catch (error) {
    return `(UNABLE TO OBTAIN TRACEBACK FROM EVENT): ${errorText(error)}`;
  }
}

function safeCall(fn: () => string, fallback: string): string {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
