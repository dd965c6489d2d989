/**
 * Twisted's format strings (PEP 3101 `str.format` over the event, as `formatWithCall`):
 * `"{peer} sent {count} bytes"`, with `{{`/`}}` for literal braces, `{a.b}` and `{a[0]}` for
 * attribute and index access, `{f()}` to call a field, `{x!r}` for a debugging repr, and a
 * subset of the format spec mini-language (`{n:>8}`, `{x:.2f}`, `{n:,d}`, `{n:x}`).
 *
 * A key that the event lacks renders as `<MISSING KEY: name>` instead of failing the whole
 * message; anything else that goes wrong throws, and {@link formatEvent} reports it. That
 * includes positional fields (`{0}`, `{}`, `{1.x}`): Twisted formats with no positional
 * arguments, so they make the event unformattable there too ("tuple index out of range").
 *
 * @module
 */

import { inspect } from "node:util";

/** A `{...}` replacement field, parsed. */
interface Field {
  /** The field name as written, for messages: `a.b[0]`. */
  readonly text: string;
  /** The top-level key, then attribute names / indexes. */
  readonly path: readonly (string | number)[];
  /** `{f()}`: call the value (with its parent as `this`). */
  readonly call: boolean;
  /** `s` (default, text) or `r` / `a` (repr). */
  readonly conversion: "s" | "r";
  readonly spec: string;
}

type Segment = string | Field;

/** Thrown for a malformed format string (Python's `ValueError`). */
class FormatStringError extends Error {
  override name = "ValueError";
}

/**
 * Thrown for a positional field: Twisted's `formatWithCall` passes no positional arguments,
 * so Python raises `IndexError` for `{0}` or `{}` and the event is unformattable.
 */
class PositionalFieldError extends Error {
  override name = "IndexError";
  constructor(field: string) {
    super(`tuple index out of range (positional field {${field}}: log formats take named fields)`);
  }
}

const MISSING: unique symbol = Symbol("missing");

// Parsing is the costly part and loggers reuse a few constant formats: keep a bounded cache.
const CACHE_LIMIT = 2048;
const cache = new Map<string, readonly Segment[]>();

function parse(format: string): readonly Segment[] {
  const cached = cache.get(format);
  if (cached !== undefined) return cached;
  const segments: Segment[] = [];
  let literal = "";
  let i = 0;
  const n = format.length;
  while (i < n) {
    const open = format.indexOf("{", i);
    const close = format.indexOf("}", i);
    if (open < 0 && close < 0) {
      literal += format.slice(i);
      break;
    }
    if (close >= 0 && (open < 0 || close < open)) {
      // A "}" before any "{": it must be doubled.
      if (format[close + 1] !== "}") {
        throw new FormatStringError("Single '}' encountered in format string");
      }
      literal += format.slice(i, close + 1);
      i = close + 2;
      continue;
    }
    literal += format.slice(i, open);
    if (format[open + 1] === "{") {
      literal += "{";
      i = open + 2;
      continue;
    }
    const end = format.indexOf("}", open + 1);
    if (end < 0) throw new FormatStringError("expected '}' before end of string");
    const inner = format.slice(open + 1, end);
    if (inner.includes("{")) {
      throw new FormatStringError("nested replacement fields are not supported");
    }
    if (literal) segments.push(literal);
    literal = "";
    segments.push(parseField(inner));
    i = end + 1;
  }
  if (literal) segments.push(literal);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(format, segments);
  return segments;
}

function parseField(inner: string): Field {
  let name = inner;
  let conversion: "s" | "r" = "s";
  let spec = "";
  const stop = inner.search(/[!:]/);
  if (stop >= 0) {
    name = inner.slice(0, stop);
    let rest = inner.slice(stop);
    if (rest[0] === "!") {
      const c = rest[1];
      if (c === "r" || c === "a") conversion = "r";
      else if (c !== "s") throw new FormatStringError(`Unknown conversion specifier ${c ?? ""}`);
      rest = rest.slice(2);
      if (rest !== "" && rest[0] !== ":") {
        throw new FormatStringError("expected ':' after conversion specifier");
      }
    }
    spec = rest.slice(1);
  }
  let call = false;
  let pathText = name;
  if (pathText.endsWith("()")) {
    call = true;
    pathText = pathText.slice(0, -2);
  }
  return { text: name, path: parsePath(pathText), call, conversion, spec };
}

function parsePath(text: string): (string | number)[] {
  const m = /^[^.[]+/.exec(text);
  // Python reads an empty or all-digit first part as an index into the positional arguments.
  if (m === null || /^\d+$/.test(m[0])) throw new PositionalFieldError(text);
  const path: (string | number)[] = [m[0]];
  let i = m[0].length;
  while (i < text.length) {
    if (text[i] === ".") {
      const a = /^[^.[]+/.exec(text.slice(i + 1));
      if (a === null) throw new FormatStringError("Empty attribute in format string");
      path.push(a[0]);
      i += 1 + a[0].length;
    } else {
      const close = text.indexOf("]", i);
      if (close < 0) throw new FormatStringError("Missing ']' in format string");
      const index = text.slice(i + 1, close);
      if (index === "") throw new FormatStringError("Empty attribute in format string");
      path.push(/^\d+$/.test(index) ? Number(index) : index);
      i = close + 1;
    }
  }
  return path;
}

function lookUp(mapping: Record<string, unknown>, field: Field): unknown {
  const [key, ...rest] = field.path;
  if (!Object.hasOwn(mapping, key as string)) return MISSING;
  let parent: unknown;
  let value: unknown = mapping[key as string];
  for (const part of rest) {
    if (value === null || value === undefined || !(part in Object(value))) return MISSING;
    parent = value;
    value = (value as Record<string | number, unknown>)[part];
  }
  if (field.call) {
    if (typeof value !== "function") {
      throw new TypeError(`'${field.text}' is not callable`);
    }
    value = (value as (this: unknown) => unknown).call(parent);
  }
  return value;
}

/**
 * Render `format` with the keys of `mapping`, as Twisted's `formatWithCall`.
 *
 * @throws a `ValueError`-named Error for a malformed format string, or whatever a field's
 *   getter, call or `toString` throws.
 */
export function formatWithCall(format: string, mapping: Record<string, unknown>): string {
  let out = "";
  for (const segment of parse(format)) {
    if (typeof segment === "string") {
      out += segment;
      continue;
    }
    const value = lookUp(mapping, segment);
    if (value === MISSING) {
      out += `<MISSING KEY: ${segment.text}>`;
      continue;
    }
    if (segment.spec !== "") {
      out += applySpec(segment.conversion === "r" ? repr(value) : value, segment.spec);
    } else {
      out += segment.conversion === "r" ? repr(value) : str(value);
    }
  }
  return out;
}

const inspectOptions = { depth: 2, breakLength: Number.POSITIVE_INFINITY, maxStringLength: 1000 };

/** A value as text, as Python's `str()`: strings as they are, objects readably. */
export function str(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "function":
      return describeFunction(value);
    case "object": {
      if (value === null) return "null";
      if (value instanceof Date) {
        return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
      }
      // Objects that say how they print (Error, Failure, URL, addresses) do; the rest are
      // shown by util.inspect rather than as "[object Object]".
      const ownToString = (value as { toString?: unknown }).toString;
      if (
        typeof ownToString === "function" &&
        ownToString !== Object.prototype.toString &&
        ownToString !== Array.prototype.toString
      ) {
        return String(value);
      }
      return inspect(value, inspectOptions);
    }
    default:
      return String(value);
  }
}

/**
 * A function in brief, without its properties: `[Function: name]`, `[class Name]`, or, for a
 * callable instance such as a `LogPublisher`, `[LogPublisher]`.
 */
export function describeFunction(fn: Function): string {
  try {
    const proto = Object.getPrototypeOf(fn) as object | null;
    const ctor = (proto as { constructor?: { name?: unknown } } | null)?.constructor;
    const kind = typeof ctor?.name === "string" ? ctor.name : "Function";
    if (!/^(Async)?(Generator)?Function$/.test(kind)) return `[${kind}]`;
    const name = typeof fn.name === "string" && fn.name ? fn.name : "";
    if (/^class[\s{]/.test(Function.prototype.toString.call(fn))) {
      return `[class ${name || "(anonymous)"}]`;
    }
    return name ? `[${kind}: ${name}]` : `[${kind} (anonymous)]`;
  } catch {
    return "[Function]";
  }
}

/** A value as a debugging representation, as Python's `repr()`: strings are quoted. */
export function repr(value: unknown): string {
  return inspect(value, inspectOptions);
}

// [[fill]align][sign][#][0][width][grouping][.precision][type]
const SPEC = /^(?:(.)?([<>^=]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGosxX%])?$/su;

function applySpec(value: unknown, spec: string): string {
  const m = SPEC.exec(spec);
  if (m === null) throw new FormatStringError(`Invalid format specifier '${spec}'`);
  const [, fillChar, alignChar, sign, alt, zero, widthText, grouping, precisionText, type] = m;
  const precision = precisionText === undefined ? undefined : Number(precisionText);
  const numeric = typeof value === "number" || typeof value === "bigint";
  let body: string;
  let negative = false;
  if (numeric && type !== "s") {
    const num = value as number | bigint;
    negative = num < 0;
    const abs = negative ? -num : num;
    body = formatNumber(abs, type, precision, alt !== undefined);
    if (grouping !== undefined) body = group(body, grouping);
  } else {
    if (type !== undefined && type !== "s") {
      throw new FormatStringError(`Unknown format code '${type}' for a non-number`);
    }
    body = str(value);
    if (precision !== undefined) body = body.slice(0, precision);
  }
  const signText = negative ? "-" : sign === "+" ? "+" : sign === " " ? " " : "";
  const width = widthText === undefined ? 0 : Number(widthText);
  const fill = fillChar ?? (zero !== undefined && alignChar === undefined ? "0" : " ");
  const align = alignChar ?? (zero !== undefined ? "=" : numeric && type !== "s" ? ">" : "<");
  const pad = Math.max(0, width - signText.length - body.length);
  if (align === "=") return signText + fill.repeat(pad) + body;
  const text = signText + body;
  if (align === ">") return fill.repeat(pad) + text;
  if (align === "^") {
    const left = Math.floor(pad / 2);
    return fill.repeat(left) + text + fill.repeat(pad - left);
  }
  return text + fill.repeat(pad);
}

function formatNumber(
  num: number | bigint,
  type: string | undefined,
  precision: number | undefined,
  alt: boolean,
): string {
  const radix = (t: number, prefix: string): string => {
    const digits = typeof num === "bigint" ? num.toString(t) : Math.trunc(num).toString(t);
    return (alt ? prefix : "") + digits;
  };
  switch (type) {
    case "d":
      return typeof num === "bigint" ? num.toString() : Math.trunc(num).toString();
    case "x":
      return radix(16, "0x");
    case "X":
      return radix(16, "0X").toUpperCase();
    case "o":
      return radix(8, "0o");
    case "b":
      return radix(2, "0b");
    case "c":
      return String.fromCodePoint(Number(num));
    case "f":
    case "F":
      return Number(num).toFixed(precision ?? 6);
    case "e":
    case "E": {
      const s = Number(num)
        .toExponential(precision ?? 6)
        .replace(/e([+-])(\d)$/, "e$10$2");
      return type === "E" ? s.toUpperCase() : s;
    }
    case "%":
      return `${(Number(num) * 100).toFixed(precision ?? 6)}%`;
    default:
      // "g", "G" or none: shortest natural form, `precision` significant digits if given.
      if (precision !== undefined && typeof num === "number") {
        return String(Number(num.toPrecision(Math.max(1, precision))));
      }
      return String(num);
  }
}

function group(body: string, separator: string): string {
  const m = /^(\d+)(.*)$/s.exec(body);
  if (m === null) return body;
  return m[1]!.replace(/\B(?=(\d{3})+(?!\d))/g, separator) + m[2];
}
