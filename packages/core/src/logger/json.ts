/**
 * JSON logs, one object a line, in pino's shape so that `pino-pretty` and other pino
 * tooling read them unchanged. (Twisted's `jsonFileLogObserver` writes its own
 * round-trippable format; Torsion follows what Node's log tooling reads instead.)
 *
 * @module
 */

import { inspect } from "node:util";
import { Failure } from "../failure.ts";
import type { LogEvent } from "./event.ts";
import { FileLogObserver, type LogStream } from "./file.ts";
import { formatEvent, formatTraceback } from "./format.ts";
import { describeFunction } from "./format-string.ts";
import type { LogLevel } from "./levels.ts";

/** pino's numeric level for each {@link LogLevel} (`critical` is pino's `fatal`). */
export const pinoLevels: Readonly<Record<LogLevel, number>> = Object.freeze({
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  critical: 60,
});

// Keys the record sets itself; an event field of the same name is written as `_name`.
const RESERVED = new Set(["level", "time", "pid", "namespace", "system", "msg", "err"]);
const MAX_DEPTH = 8;

/**
 * The event as one line of JSON (no newline inside), in pino's shape:
 *
 * ```json
 * {"level":30,"time":1795933103000,"pid":4242,"namespace":"echo","system":"Echo,3,127.0.0.1","peer":"127.0.0.1","msg":"connection from 127.0.0.1"}
 * ```
 *
 * - `level`: pino's number (debug 20, info 30, warn 40, error 50, critical 60 = fatal);
 * - `time`: milliseconds since the epoch; `pid`: the process id;
 * - `namespace`, and `system` when the event has a `log_system`;
 * - the event's own fields (keys not starting with `log_`), made JSON-safe: errors as
 *   `{type, message, stack}`, `BigInt` as a decimal string, functions as `"[Function: f]"`,
 *   cycles as `"[Circular]"`, buffers as their inspected preview, depth past 8 cut; a field
 *   named like one of the keys above is written with a leading underscore;
 * - `err`: the event's `log_failure` as pino's `{type, message, stack}` (plus the error's
 *   own enumerable properties, such as `code`);
 * - `msg`: the formatted message ({@link formatEvent}).
 *
 * Never throws.
 */
export function eventAsJSON(event: LogEvent): string {
  const record: Record<string, unknown> = {};
  try {
    record.level = pinoLevels[event.log_level] ?? pinoLevels.info;
    const time = Number(event.log_time) * 1000;
    record.time = Number.isFinite(time) ? Math.round(time) : Date.now();
    record.pid = process.pid;
    record.namespace = safe(event.log_namespace ?? "-", 0, new Set());
    if (event.log_system !== undefined && event.log_system !== null) {
      record.system = safe(event.log_system, 0, new Set());
    }
    for (const key of Object.keys(event)) {
      if (key.startsWith("log_")) continue;
      let value: unknown;
      try {
        value = safe(event[key], 0, new Set());
      } catch (error) {
        value = `[Unserializable: ${describeError(error)}]`;
      }
      if (value === undefined) continue;
      let name = key;
      while (RESERVED.has(name) || (name !== key && Object.hasOwn(record, name))) name = `_${name}`;
      record[name] = value;
    }
    if (event.log_failure !== undefined) {
      record.err = errorAsJSON(event.log_failure, new Set());
    }
    record.msg = formatEvent(event);
    return JSON.stringify(record);
  } catch (error) {
    // Only a hostile event gets here (a Proxy whose traps throw): keep the line valid.
    return JSON.stringify({
      level: typeof record.level === "number" ? record.level : pinoLevels.error,
      time: typeof record.time === "number" ? record.time : Date.now(),
      pid: process.pid,
      msg: "Unable to serialize log event",
      serializationError: describeError(error),
    });
  }
}

/**
 * An observer that writes {@link eventAsJSON} and a newline per event to `stream`:
 * newline-delimited JSON, as pino writes.
 */
export function jsonFileLogObserver(stream: LogStream): FileLogObserver {
  return new FileLogObserver(stream, (event) => `${eventAsJSON(event)}\n`);
}

/** `value` as JSON-safe data. `ancestors` holds the objects above it, to detect cycles. */
function safe(value: unknown, depth: number, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return value.toString();
    case "undefined":
      return undefined;
    case "symbol":
      return value.toString();
    case "function":
      return describeFunction(value);
  }
  if (value === null) return null;
  const obj = value as object;
  if (ancestors.has(obj)) return "[Circular]";
  if (obj instanceof Failure || obj instanceof Error) return errorAsJSON(obj, ancestors);
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
  if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) {
    return inspect(obj, { maxArrayLength: 32 });
  }
  if (depth >= MAX_DEPTH) return Array.isArray(obj) ? "[Array]" : "[Object]";
  ancestors.add(obj);
  try {
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      return safe(toJSON.call(obj), depth + 1, ancestors);
    }
    if (Array.isArray(obj)) {
      return obj.map((item) => safe(item, depth + 1, ancestors) ?? null);
    }
    if (obj instanceof Set) {
      return [...obj].map((item) => safe(item, depth + 1, ancestors) ?? null);
    }
    const out: Record<string, unknown> = {};
    const entries: Iterable<[unknown, unknown]> =
      obj instanceof Map ? obj.entries() : keyedEntries(obj);
    for (const [key, item] of entries) {
      let v: unknown;
      try {
        v = safe(item, depth + 1, ancestors);
      } catch (error) {
        v = `[Unserializable: ${describeError(error)}]`;
      }
      if (v !== undefined) out[String(key)] = v;
    }
    return out;
  } finally {
    ancestors.delete(obj);
  }
}

function* keyedEntries(obj: object): Generator<[string, unknown]> {
  for (const key of Object.keys(obj)) {
    let v: unknown;
    try {
      v = (obj as Record<string, unknown>)[key];
    } catch (error) {
      v = `[Unserializable: ${describeError(error)}]`;
    }
    yield [key, v];
  }
}

/** An error (or a Failure, or any thrown value) as pino's `{type, message, stack, ...}`. */
function errorAsJSON(error: Failure | Error | unknown, ancestors: Set<object>): unknown {
  const failure = Failure.from(error);
  const value = failure.value;
  const out: Record<string, unknown> = {
    type: typeName(value),
    message: failure.getErrorMessage(),
    stack: formatTraceback(failure),
  };
  if (value !== null && typeof value === "object" && !ancestors.has(value)) {
    ancestors.add(value);
    try {
      for (const [key, item] of keyedEntries(value)) {
        if (Object.hasOwn(out, key) || key === "cause") continue;
        const v = safe(item, 1, ancestors);
        if (v !== undefined) out[key] = v;
      }
    } finally {
      ancestors.delete(value);
    }
  }
  return out;
}

function typeName(value: unknown): string {
  if (value !== null && typeof value === "object") {
    const ctor = (value as { constructor?: unknown }).constructor;
    if (typeof ctor === "function" && ctor.name) return ctor.name;
    return "Object";
  }
  return typeof value;
}

function describeError(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return "unprintable error";
  }
}
