/**
 * `twist`'s own options, as one table: each entry says its flag, its help line with its
 * default, and how its text becomes a value. Parsing, `--help` and {@link RunnerArgs} all come
 * from the table, so adding an option is one entry here plus the one call that uses its value.
 * For example, `--metrics <endpoint>` would be a `metrics: string | undefined` field in
 * {@link RunnerOptionValues}, an entry `metrics: { flag: "metrics", value: "<endpoint>", help:
 * "…", parse: text(undefined) }`, and in `main` one call that starts the metrics service with
 * `args.metrics`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { LogLevel } from "@torsion/core";
import type { TransportChoice } from "@torsion/core/endpoints";
import { isLogLevel, logLevelFromName } from "@torsion/core/logger";
import { UsageError } from "../errors.ts";
import { joinDashValues, usageFromParseArgs } from "../parse-args-usage.ts";

/** The values of `twist`'s own options. */
export interface RunnerOptionValues {
  app: string | undefined;
  config: string | undefined;
  /** `--log-file`; `undefined` when not given (standard output, or standard error beside a `stdio:` endpoint). */
  logFile: string | undefined;
  logFormat: "text" | "json" | undefined;
  logLevel: LogLevel;
  pidfile: string | undefined;
  workers: number;
  shutdownTimeout: number;
  idleTimeout: number | null;
  maxConnections: number | null;
  maxConnectionsPerPeer: number | null;
  /** `--metrics`: the endpoint to serve `/metrics`, `/healthz` and `/readyz` on. */
  metrics: string | undefined;
  /** `--metrics-grace`: seconds between `/healthz` turning 503 and the ports closing. */
  metricsGrace: number;
  /** `--transport`: what listening TCP/UNIX ports use; `undefined` leaves `TORSION_TRANSPORT`, else auto. */
  transport: TransportChoice | undefined;
  help: boolean;
  version: boolean;
}

/** What the command line asks for: the options, then the plugin and what follows it. */
export interface RunnerArgs extends RunnerOptionValues {
  /** The plugin to run, if named. */
  plugin: string | undefined;
  /** What follows the plugin's name. */
  pluginArgs: string[];
}

/** One of `twist`'s options. */
export interface RunnerOption<T> {
  /** The long name (`workers` is `--workers`). */
  flag: string;
  /** A one-letter alias. */
  short?: string;
  /** The value's placeholder (`<n>`); absent for a flag. */
  value?: string;
  /** The help text. */
  help: string;
  /** The default, as `--help` shows it. */
  defaultText?: string;
  /** The value from the option's text (`undefined` when not given; `true` for a given flag). */
  parse(text: string | boolean | undefined, flag: string): T;
}

const text =
  <T extends string | undefined>(fallback: T) =>
  (t: string | boolean | undefined): string | T =>
    typeof t === "string" ? t : fallback;

/** `twist`'s options, in `--help` order. */
export const RUNNER_OPTIONS: {
  readonly [K in keyof RunnerOptionValues]: RunnerOption<RunnerOptionValues[K]>;
} = {
  app: {
    flag: "app",
    value: "<module>",
    help: "Run the module's exported `application` (a .tac file)",
    parse: text(undefined),
  },
  config: {
    flag: "config",
    value: "<file>",
    help: "Run the services a config file composes",
    defaultText: "torsion.config.{js,mjs,json} in the current directory",
    parse: text(undefined),
  },
  logFile: {
    flag: "log-file",
    value: "<path|-|+>",
    help: "Where to log: a file appended to, - for standard output, + for standard error",
    defaultText: "-, or + when an endpoint is stdio:",
    parse: text(undefined),
  },
  logFormat: {
    flag: "log-format",
    value: "<text|json>",
    help: "How log lines look",
    defaultText: "text on a terminal, json otherwise",
    parse: (t, flag) => {
      if (t === undefined || t === "text" || t === "json") return t;
      throw new UsageError(`--${flag} must be text or json, not ${JSON.stringify(t)}`);
    },
  },
  logLevel: {
    flag: "log-level",
    value: "<level>",
    help: "debug, info, warn, error or critical (debug also shows stack traces)",
    defaultText: "info",
    parse: (t, flag) => {
      if (typeof t !== "string") return "info" as LogLevel;
      let level: LogLevel | undefined;
      try {
        level = logLevelFromName(t);
      } catch {
        level = undefined;
      }
      if (level === undefined || !isLogLevel(level))
        throw new UsageError(
          `--${flag} must be debug, info, warn, error or critical, not ${JSON.stringify(t)}`,
        );
      return level;
    },
  },
  pidfile: {
    flag: "pidfile",
    value: "<path>",
    help: "Write the process id here; refuse to start if it names a live process",
    parse: text(undefined),
  },
  workers: {
    flag: "workers",
    value: "<n>",
    help: "Run n processes sharing the listening sockets",
    defaultText: "1",
    parse: (t, flag) => wholeNumber(flag, t, 1, 1) ?? 1,
  },
  shutdownTimeout: {
    flag: "shutdown-timeout",
    value: "<secs>",
    help: "On SIGINT/SIGTERM, how long open connections may finish",
    defaultText: "10",
    parse: (t, flag) => seconds(flag, t, 10),
  },
  idleTimeout: {
    flag: "idle-timeout",
    value: "<secs>",
    help: "Close a connection idle this long in both directions (0: never)",
    defaultText: "300",
    parse: (t, flag) => seconds(flag, t, 300) || null,
  },
  maxConnections: {
    flag: "max-connections",
    value: "<n>",
    help: "Refuse connections past this many open at once, per listening service (0: no limit)",
    defaultText: "16384",
    parse: (t, flag) => wholeNumber(flag, t, 16384, 0),
  },
  maxConnectionsPerPeer: {
    flag: "max-connections-per-peer",
    value: "<n>",
    help: "Refuse connections past this many from one peer host, per listening service (0: no limit; a balancer in front is one peer)",
    defaultText: "0",
    parse: (t, flag) => wholeNumber(flag, t, 0, 0),
  },
  metrics: {
    flag: "metrics",
    value: "<endpoint>",
    help: "Serve /metrics (Prometheus), /healthz and /readyz over HTTP on this endpoint",
    parse: text(undefined),
  },
  metricsGrace: {
    flag: "metrics-grace",
    value: "<secs>",
    help: "With --metrics, on SIGINT/SIGTERM /healthz answers 503 this long before ports close",
    defaultText: "2",
    parse: (t, flag) => seconds(flag, t, 2),
  },
  transport: {
    flag: "transport",
    value: "<native|portable|auto>",
    help: "Listening TCP/UNIX ports on @torsion/native's libuv transport, node:net, or native when it loads",
    defaultText: "TORSION_TRANSPORT, else auto",
    parse: (t, flag) => {
      if (t === undefined || t === true || t === false) return undefined;
      if (t === "native" || t === "portable" || t === "auto") return t;
      throw new UsageError(`--${flag} must be native, portable or auto, not ${JSON.stringify(t)}`);
    },
  },
  help: {
    flag: "help",
    short: "h",
    help: "Show this help (with the installed plugins)",
    parse: (t) => t === true,
  },
  version: { flag: "version", short: "V", help: "Show the version", parse: (t) => t === true },
};

const entries = Object.entries(RUNNER_OPTIONS) as [
  keyof RunnerOptionValues,
  RunnerOption<unknown>,
][];
const byFlag = new Map(entries.map(([, o]) => [o.flag, o]));

/** `twist`'s options for `--help`, aligned, each with its default. */
export function runnerOptionsHelp(): string {
  const rows = entries.map(([, o]) => {
    const syntax = `${o.short ? `-${o.short}, ` : ""}--${o.flag}${o.value ? ` ${o.value}` : ""}`;
    const help = o.defaultText === undefined ? o.help : `${o.help} [default: ${o.defaultText}]`;
    return [syntax, help] as const;
  });
  const width = Math.max(...rows.map(([s]) => s.length));
  return `Options:\n${rows.map(([s, h]) => `  ${s.padEnd(width)}  ${h}`).join("\n")}`;
}

const HELP_HINT = "twist --help lists the options";

/**
 * Parse `argv` (without `node` and the script).
 *
 * @throws UsageError for an unknown option, a bad value, or two of plugin, `--app` and `--config`.
 */
export function parseRunnerArgs(argv: readonly string[]): RunnerArgs {
  const split = firstPositional(argv);
  const own = joinDashValues(argv.slice(0, split), (f) => byFlag.get(f)?.value !== undefined);
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const [, o] of entries)
    options[o.flag] = {
      type: o.value ? "string" : "boolean",
      ...(o.short ? { short: o.short } : {}),
    };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: own, options, strict: true }).values as typeof values;
  } catch (error) {
    throw usageFromParseArgs(error, "twist", HELP_HINT);
  }
  const parsed: Record<string, unknown> = {};
  for (const [key, o] of entries) parsed[key] = o.parse(values[o.flag], o.flag);
  const v = parsed as unknown as RunnerOptionValues;
  const rest = argv.slice(split);
  if (rest[0] === "--") rest.shift();
  const plugin = rest[0];
  if ([plugin, v.app, v.config].filter((x) => x !== undefined).length > 1)
    throw new UsageError("Give only one of a plugin, --app and --config");
  return { ...v, plugin, pluginArgs: rest.slice(1) };
}

/** Index of the first argument that is not one of twist's options or an option's value. */
function firstPositional(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return i;
    if (!a.startsWith("-") || a === "-") return i;
    if (a.startsWith("--") && !a.includes("=") && byFlag.get(a.slice(2))?.value !== undefined) i++;
  }
  return argv.length;
}

/** A whole number >= `min`; `null` for 0 when 0 means "no limit" (`min` 0). */
function wholeNumber(
  flag: string,
  t: string | boolean | undefined,
  fallback: number,
  min: number,
): number | null {
  const s = typeof t === "string" ? t : String(fallback);
  const n = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(`--${flag} must be a whole number >= ${min}, not ${JSON.stringify(s)}`);
  return min === 0 && n === 0 ? null : n;
}

/** A number of seconds >= 0. */
function seconds(flag: string, t: string | boolean | undefined, fallback: number): number {
  const s = typeof t === "string" ? t : String(fallback);
  const n = Number(s);
  if (s.trim() === "" || !Number.isFinite(n) || n < 0)
    throw new UsageError(`--${flag} must be a number of seconds >= 0, not ${JSON.stringify(s)}`);
  return n;
}
