/**
 * The command line of `twist`: its own options, then the plugin and the plugin's options.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { LogLevel } from "@torsion/core";
import { isLogLevel, logLevelFromName } from "@torsion/core/logger";
import { UsageError } from "../errors.ts";

/** The usage line printed with every usage error. */
export const USAGE: string =
  "Usage: twist [options] <plugin> [plugin options]\n" +
  "       twist [options] --app <module>\n" +
  "       twist [options] [--config <file>]";

/** `twist`'s own options, for `twist --help`. */
export const RUNNER_OPTIONS_HELP: string = `Options:
  --app <module>              Run the module's exported \`application\` (a .tac file)
  --config <file>             Run the services a config file composes
                              [default: torsion.config.{js,mjs,json} in the current directory]
  --log-file <path|->         Where to log; - is standard output [default: -]
  --log-format <text|json>    [default: text on a terminal, json otherwise]
  --log-level <level>         debug, info, warn, error or critical [default: info]
  --pidfile <path>            Write the process id here; refuse to start if it names a live process
  --workers <n>               Run n processes sharing the listening sockets [default: 1]
  --shutdown-timeout <secs>   On SIGINT/SIGTERM, how long open connections may finish [default: 10]
  -h, --help                  Show this help (with the installed plugins)
  -V, --version               Show the version`;

/** What the command line asks for. */
export interface RunnerArgs {
  help: boolean;
  version: boolean;
  app: string | undefined;
  config: string | undefined;
  logFile: string;
  logFormat: "text" | "json" | undefined;
  logLevel: LogLevel;
  pidfile: string | undefined;
  workers: number;
  shutdownTimeout: number;
  /** The plugin to run, if named. */
  plugin: string | undefined;
  /** What follows the plugin's name. */
  pluginArgs: string[];
}

const options = {
  app: { type: "string" },
  config: { type: "string" },
  "log-file": { type: "string" },
  "log-format": { type: "string" },
  "log-level": { type: "string" },
  pidfile: { type: "string" },
  workers: { type: "string" },
  "shutdown-timeout": { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

/**
 * Parse `argv` (without `node` and the script).
 *
 * @throws UsageError for an unknown option, a bad value, or two of plugin, `--app` and `--config`.
 */
export function parseRunnerArgs(argv: readonly string[]): RunnerArgs {
  const split = firstPositional(argv);
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv.slice(0, split) as string[], options, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]!);
  }
  const v = parsed.values;
  const rest = argv.slice(split);
  if (rest[0] === "--") rest.shift();
  const plugin = rest[0];
  if ([plugin, v.app, v.config].filter((x) => x !== undefined).length > 1) {
    throw new UsageError("Give only one of a plugin, --app and --config");
  }
  const logFormat = v["log-format"];
  if (logFormat !== undefined && logFormat !== "text" && logFormat !== "json") {
    throw new UsageError(`--log-format must be text or json, not ${JSON.stringify(logFormat)}`);
  }
  let logLevel: LogLevel = "info" as LogLevel;
  if (v["log-level"] !== undefined) {
    try {
      logLevel = logLevelFromName(v["log-level"]);
    } catch {
      throw new UsageError(
        `--log-level must be debug, info, warn, error or critical, not ${JSON.stringify(v["log-level"])}`,
      );
    }
    if (!isLogLevel(logLevel)) throw new UsageError(`Invalid --log-level ${v["log-level"]}`);
  }
  return {
    help: v.help === true,
    version: v.version === true,
    app: v.app,
    config: v.config,
    logFile: v["log-file"] ?? "-",
    logFormat,
    logLevel,
    pidfile: v.pidfile,
    workers: positiveInteger("--workers", v.workers, 1),
    shutdownTimeout: nonNegativeNumber("--shutdown-timeout", v["shutdown-timeout"], 10),
    plugin,
    pluginArgs: rest.slice(1),
  };
}

/** Index of the first argument that is not one of twist's options or an option's value. */
function firstPositional(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return i;
    if (!a.startsWith("-") || a === "-") return i;
    if (a.startsWith("--") && !a.includes("=")) {
      const spec = (options as Record<string, { type: string }>)[a.slice(2)];
      if (spec?.type === "string") i++;
    }
  }
  return argv.length;
}

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`${name} must be a whole number >= 1, not ${JSON.stringify(text)}`);
  return n;
}

function nonNegativeNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0)
    throw new UsageError(`${name} must be a number of seconds >= 0, not ${JSON.stringify(text)}`);
  return n;
}
