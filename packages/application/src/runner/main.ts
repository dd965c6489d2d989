/**
 * The `twist` runner, read top to bottom: parse the command line, find the plugins, make the
 * service tree (a plugin, an `--app` module, or a config file), apply the per-server options,
 * run it on the reactor until SIGINT/SIGTERM, and say how it went with the exit code (after
 * Twisted's `twist/_twist.py`).
 *
 * Exit codes: 0 after a clean stop (SIGINT and SIGTERM included); 1 if anything fails while
 * starting (a plugin refused or failing in `makeService`, the log or pid file unusable, a
 * service that cannot start, the pid file naming a live process) or after an uncaught
 * exception; 64 (`EX_USAGE`) only for command-line and config usage errors. Every failure is
 * one line on standard error starting `twist:` that says what to do; stack traces only with
 * `--log-level debug`.
 *
 * @module
 */
import cluster from "node:cluster";
import {
  reactor as defaultReactor,
  type Failure,
  globalLogBeginner,
  type ILogObserver,
  Logger,
  maybeDeferred,
} from "@torsion/core";
import { transportOf, useTransport } from "@torsion/core/endpoints";
import { describeReason, PluginError, ServiceStartError, UsageError } from "../errors.ts";
import { withRunnerMetrics } from "../metrics/runner.ts";
import { describeOptions, parsePluginArgs } from "../plugin/options.ts";
import type { IService } from "../service/service.ts";
import { applicationVersion } from "../version.ts";
import { composeConfig, composePlugin, loadApplication } from "./build.ts";
import { PluginCatalog } from "./catalog.ts";
import { findDefaultConfig, readConfig } from "./config.ts";
import { isUsageError, type RunnerReactor } from "./helpers.ts";
import { makeLogObserver, type TerminalStream } from "./logging.ts";
import { parseRunnerArgs, type RunnerArgs, runnerOptionsHelp } from "./options.ts";
import { PIDFile } from "./pidfile.ts";
import { installProcessHandlers, type ProcessEvents } from "./process-handlers.ts";
import { applyServerDefaults, servesStandardIO } from "./server-defaults.ts";
import { StartupError } from "./startup-error.ts";
import { USAGE } from "./usage.ts";
import { runPrimary } from "./workers.ts";

const log = new Logger("torsion.twist");

/** Exit status for a usage error (BSD `EX_USAGE`). */
export const EXIT_USAGE = 64;

/** Where `twist` writes, reads and listens, so that `main` can run inside a test. */
export interface RunnerIO {
  /** Help text, and the log for `--log-file -` (its `isTTY` picks the format). */
  stdout: TerminalStream;
  /** `twist:` failure lines, and the log for `--log-file +`. */
  stderr: TerminalStream;
  /** The directory plugins, the default config and relative paths are resolved from. */
  cwd: string;
  /**
   * Send log events to `observer` until the returned function is called. Default: the global
   * log beginner (events logged so far are replayed; standard output and error become log
   * events while it runs, as in Twisted).
   */
  beginLogging?: (observer: ILogObserver) => () => void;
  /** Where unhandled rejections and uncaught exceptions are heard; default `process`. */
  processEvents?: ProcessEvents;
}

const processIO: RunnerIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  get cwd() {
    return process.cwd();
  },
};

/**
 * Run `twist` with `argv` (the arguments after the script) and return the exit code. It runs
 * until the services stop (SIGINT/SIGTERM), unless it only prints help.
 */
export async function main(
  argv: readonly string[],
  io: RunnerIO = processIO,
  reactor: RunnerReactor = defaultReactor,
): Promise<number> {
  let debug = false;
  try {
    const args = parseRunnerArgs(argv);
    if (args.transport !== undefined) useTransport(reactor, args.transport);
    debug = args.logLevel === "debug";
    if (args.version) {
      io.stdout.write(`twist (@torsion/application) ${applicationVersion}\n`);
      return 0;
    }
    const catalog = new PluginCatalog(applicationVersion, [io.cwd]);
    if (args.help && args.plugin === undefined) {
      io.stdout.write(generalHelp(catalog));
      return 0;
    }
    const make = await serviceBuilder(args, catalog, io, reactor);
    if (make === undefined) return 0; // printed a plugin's help
    const build = async (): Promise<IService> => {
      const root = await make();
      // Workers would all read one standard input: a stdio: connection has one server.
      if (args.workers > 1 && servesStandardIO(root))
        throw new UsageError(
          "--workers cannot serve stdio:, which is one connection on standard input/output; drop --workers",
        );
      applyServerDefaults(root, {
        drainTimeout: args.shutdownTimeout,
        idleTimeout: args.idleTimeout,
        maxConnections: args.maxConnections,
        maxConnectionsPerPeer: args.maxConnectionsPerPeer,
      });
      return withRunnerMetrics(root, args, reactor, args.workers);
    };
    const startLogging = (root?: IService): (() => void) => beginRunnerLogging(args, io, root);
    if (args.workers > 1 && cluster.isPrimary)
      return await runPrimary(args, build, startLogging, io, reactor);
    return await runSingle(args, build, startLogging, io, reactor, catalog);
  } catch (error) {
    return reportError(error, io, debug);
  }
}

/**
 * The function that makes the tree the arguments ask for, or `undefined` after printing a
 * plugin's `--help`. A plugin's arguments are parsed here, once, for both.
 */
async function serviceBuilder(
  args: RunnerArgs,
  catalog: PluginCatalog,
  io: RunnerIO,
  reactor: RunnerReactor,
): Promise<(() => Promise<IService>) | undefined> {
  if (args.plugin !== undefined) {
    const name = args.plugin;
    const maker = await catalog.load(name);
    const { values, help } = parsePluginArgs(name, maker.options, args.pluginArgs);
    if (help) {
      io.stdout.write(pluginHelp(catalog, name, maker.description, describeOptions(maker.options)));
      return undefined;
    }
    return () => composePlugin(maker, values, reactor);
  }
  if (args.app !== undefined) {
    const app = args.app;
    return () => loadApplication(app, io.cwd);
  }
  const file = args.config ?? findDefaultConfig(io.cwd);
  if (file === undefined) {
    throw new UsageError(
      "name a plugin, --app or --config (there is no torsion.config.{js,mjs,json} here); twist --help lists the plugins",
    );
  }
  const config = await readConfig(file, io.cwd);
  return () => composeConfig(catalog, config, reactor);
}

/**
 * Begin logging where the arguments say; returns the function that stops it. Without
 * `--log-file`, a tree that serves a connection on standard input/output (`stdio:`) logs to
 * standard error, so no log line lands in the connection.
 */
function beginRunnerLogging(args: RunnerArgs, io: RunnerIO, root?: IService): () => void {
  const { observer, close } = makeLogObserver({
    file: args.logFile ?? (root !== undefined && servesStandardIO(root) ? "+" : "-"),
    format: args.logFormat,
    level: args.logLevel,
    stdout: io.stdout,
    stderr: io.stderr,
  });
  const stop = (io.beginLogging ?? beginGlobalLogging)(observer);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    stop();
    close();
  };
}

function beginGlobalLogging(observer: ILogObserver): () => void {
  globalLogBeginner.beginLoggingTo([observer]);
  return () => globalLogBeginner.stopRedirectingStandardIO();
}

/** Run the services in this process until the reactor stops. */
async function runSingle(
  args: RunnerArgs,
  build: () => Promise<IService>,
  startLogging: (root?: IService) => () => void,
  io: RunnerIO,
  reactor: RunnerReactor,
  catalog: PluginCatalog,
): Promise<number> {
  const root = await build();
  const worker = cluster.isWorker;
  const stopLogging = startLogging(root);
  const pidfile = args.pidfile !== undefined && !worker ? new PIDFile(args.pidfile) : undefined;
  let removeHandlers = (): void => {};
  try {
    pidfile?.claim();
    warnShadowed(catalog, args);
    let failure: unknown;
    let fatal = false;
    const stop = (): void => {
      try {
        reactor.stop();
      } catch {
        // Already stopping (a signal arrived while starting).
      }
    };
    removeHandlers = installProcessHandlers(io.processEvents ?? process, () => {
      fatal = true;
      stop();
    });
    log.info(
      "twist {version} (Node {node}) starting {service} with pid {pid}, {transport} transport",
      {
        version: applicationVersion,
        node: process.version,
        service: root.name ?? String(root),
        pid: process.pid,
        transport: transportOf(reactor),
      },
    );
    reactor.addSystemEventTrigger("before", "shutdown", () =>
      root.running ? root.stopService() : undefined,
    );
    const stopped = reactor.run();
    root.privilegedStartService();
    maybeDeferred(() => root.startService()).addCallbacks(
      () => {
        log.info("Started {service}", { service: root.name ?? String(root) });
        if (worker) process.send?.({ twist: "started" });
      },
      (f: Failure) => {
        failure = f.value;
        stop();
      },
    );
    await stopped;
    if (failure !== undefined) {
      const message = startFailureMessage(failure);
      log.critical("{message}", { message });
      stopLogging();
      io.stderr.write(`twist: ${message}\n`);
      return 1;
    }
    if (fatal) {
      log.critical("Stopped after an uncaught exception; exiting with status 1");
      stopLogging();
      io.stderr.write(
        "twist: stopped after an uncaught exception (see the log); fix the code that threw it\n",
      );
      return 1;
    }
    log.info("Stopped.");
    return 0;
  } finally {
    removeHandlers();
    pidfile?.release();
    stopLogging();
  }
}

/** Log which package wins when several offer the plugin being run. */
function warnShadowed(catalog: PluginCatalog, args: RunnerArgs): void {
  if (args.plugin === undefined) return;
  const others = catalog.shadowed(args.plugin);
  if (others.length === 0) return;
  log.warn("Plugin {plugin} is offered by {winner} and by {others}; using {winner} (the nearest)", {
    plugin: args.plugin,
    winner: catalog.info(args.plugin).packageName,
    others: others.map((p) => p.packageName).join(", "),
  });
}

/** The reason a service could not start, with a hint when the cause is a common one. */
export function startFailureMessage(error: unknown): string {
  const message = describeReason(error);
  let cause: unknown = error;
  while (cause instanceof ServiceStartError) cause = cause.cause;
  const code = ((cause as { cause?: { code?: string } })?.cause?.code ??
    (cause as { code?: string })?.code) as string | undefined;
  if (code === "EADDRINUSE")
    return `${message} (is another server running there? stop it or choose another endpoint)`;
  if (code === "EACCES")
    return `${message} (ports below 1024 need privileges: choose a port above 1023)`;
  return message;
}

/** Print `error` as one `twist:` line and return its exit code: 64 for usage errors, else 1. */
function reportError(error: unknown, io: RunnerIO, debug: boolean): number {
  globalLogBeginner.stopRedirectingStandardIO();
  const message = (error as Error)?.message ?? String(error);
  if (isUsageError(error) || isNotFound(error)) {
    io.stderr.write(`twist: ${message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const known =
    error instanceof PluginError ||
    error instanceof ServiceStartError ||
    error instanceof StartupError ||
    String((error as { code?: unknown })?.code ?? "").startsWith("ERR_TORSION");
  const line = known
    ? message
    : `unexpected error: ${message} (run with --log-level debug for the stack trace, and report it)`;
  io.stderr.write(`twist: ${line}\n`);
  if (debug && error instanceof Error && error.stack !== undefined)
    io.stderr.write(`${error.stack}\n`);
  return 1;
}

function isNotFound(error: unknown): boolean {
  return error instanceof PluginError && error.code === "ERR_TORSION_PLUGIN_NOT_FOUND";
}

/** `twist <plugin> --help`. */
function pluginHelp(
  catalog: PluginCatalog,
  name: string,
  description: string,
  options: string,
): string {
  const info = catalog.info(name);
  const others = catalog.shadowed(name);
  const shadow = others.length
    ? `\nAlso offered by ${others.map((p) => `${p.packageName} ${p.packageVersion}`).join(", ")}: not used (the nearest installation wins)\n`
    : "";
  return (
    `Usage: twist [options] ${name} [${name} options]\n\n${description} (from ${info.packageName} ${info.packageVersion})\n${shadow}\n` +
    `Options:\n${options}\n`
  );
}

/** `twist --help`: usage, options, and the installed plugins (metadata only; nothing imported). */
function generalHelp(catalog: PluginCatalog): string {
  const { plugins, problems, shadowed } = catalog.found;
  const width = Math.max(8, ...plugins.map((p) => p.name.length));
  const list = plugins.length
    ? [...plugins]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((p) => {
          const others = shadowed.filter((s) => s.name === p.name).map((s) => s.packageName);
          const also = others.length ? `; also in ${others.join(", ")}, not used` : "";
          return `  ${p.name.padEnd(width)}  ${p.description}  (${p.packageName}${also})`;
        })
        .join("\n")
    : "  (none installed: install a package that declares one, such as @torsion/echo)";
  const refused = problems.length
    ? `\n\nRefused:\n${problems.map((p) => `  ${p.message}`).join("\n")}`
    : "";
  return (
    `${USAGE}\n\nRun Torsion services: a plugin, an application module, or several plugins composed by a config file.\n\n` +
    `${runnerOptionsHelp()}\n\nPlugins:\n${list}${refused}\n\nRun \`twist <plugin> --help\` for a plugin's options.\n`
  );
}
