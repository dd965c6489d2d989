/**
 * The `twist` runner: parse the command line, make the service tree, run it on the reactor until
 * SIGINT/SIGTERM, and say how it went with the exit code (after Twisted's `twist` and
 * `twisted.application.runner`).
 *
 * Exit codes: 0 after a clean stop; 1 if a service could not start (or a plugin was refused,
 * or the pid file names a live process); 64 (`EX_USAGE`) for a usage error, printed with the
 * usage line.
 *
 * @module
 */
import cluster from "node:cluster";
import { fileURLToPath } from "node:url";
import {
  reactor as defaultReactor,
  EndpointDescriptionError,
  type Failure,
  globalLogBeginner,
  Logger,
  maybeDeferred,
} from "@torsion/core";
import { describeReason, PluginError, ServiceStartError, UsageError } from "../errors.ts";
import { withRunnerMetrics } from "../metrics/runner.ts";
import { describeOptions, parsePluginArgs } from "../plugin/options.ts";
import type { IService } from "../service/service.ts";
import { applicationVersion } from "../version.ts";
import { parseRunnerArgs, RUNNER_OPTIONS_HELP, type RunnerArgs, USAGE } from "./args.ts";
import {
  composeConfig,
  composePlugin,
  findDefaultConfig,
  loadApplication,
  PluginCatalog,
  type RunnerReactor,
  readConfig,
  setDrainTimeout,
} from "./compose.ts";
import { beginLogging } from "./logging.ts";
import { PIDFile } from "./pidfile.ts";
import { runPrimary } from "./workers.ts";

const log = new Logger("torsion.twist");

/** Exit status for a usage error (BSD `EX_USAGE`). */
export const EXIT_USAGE = 64;

/** Where `twist` writes what it prints outside the log. */
export interface RunnerIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** The directory plugins and the default config are looked for from. */
  cwd: string;
}

const processIO: RunnerIO = {
  stdout: { write: (t: string) => process.stdout.write(t) },
  stderr: { write: (t: string) => process.stderr.write(t) },
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
  let args: RunnerArgs;
  try {
    args = parseRunnerArgs(argv);
  } catch (error) {
    return reportError(error, io);
  }
  if (args.version) {
    io.stdout.write(`twist (@torsion/application) ${applicationVersion}\n`);
    return 0;
  }
  const catalog = new PluginCatalog(applicationVersion, [io.cwd, ...defaultDiscoveryRoots()]);
  if (args.help && args.plugin === undefined) {
    io.stdout.write(generalHelp(catalog));
    return 0;
  }
  try {
    if (args.plugin !== undefined && parsePluginHelp(args.pluginArgs)) {
      const maker = await catalog.load(args.plugin);
      const { help } = parsePluginArgs(args.plugin, maker.options, args.pluginArgs);
      if (help) {
        const info = catalog.info(args.plugin);
        io.stdout.write(
          `Usage: twist [options] ${maker.name} [${maker.name} options]\n\n${maker.description} (from ${info.packageName} ${info.packageVersion})\n\n` +
            `Options:\n${describeOptions(maker.options)}\n`,
        );
        return 0;
      }
    }
    const build = builder(args, catalog, io, reactor);
    if (args.workers > 1 && cluster.isPrimary) return await runPrimary(args, build, io);
    return await runSingle(args, build, io, reactor);
  } catch (error) {
    return reportError(error, io);
  }
}

/** The directories discovery searches besides the current one: the runner's own location. */
function defaultDiscoveryRoots(): string[] {
  return [fileURLToPath(new URL(".", import.meta.url))];
}

function parsePluginHelp(args: readonly string[]): boolean {
  return args.includes("--help") || args.includes("-h");
}

/** A function that makes the service tree the arguments ask for (usage errors thrown from it). */
function builder(
  args: RunnerArgs,
  catalog: PluginCatalog,
  io: RunnerIO,
  reactor: RunnerReactor,
): () => Promise<IService> {
  return async () => {
    let root: IService;
    if (args.plugin !== undefined)
      root = await composePlugin(
        catalog,
        args.plugin,
        args.pluginArgs,
        reactor,
        args.shutdownTimeout,
      );
    else if (args.app !== undefined) root = await loadApplication(args.app);
    else {
      const file = args.config ?? findDefaultConfig(io.cwd);
      if (file === undefined) {
        throw new UsageError(
          "Name a plugin, --app or --config (there is no torsion.config.{js,mjs,json} here); twist --help lists the plugins",
        );
      }
      root = await composeConfig(catalog, await readConfig(file), reactor, args.shutdownTimeout);
    }
    setDrainTimeout(root, args.shutdownTimeout);
    root = withRunnerMetrics(root, args, reactor, args.workers);
    return root;
  };
}

/** Run the services in this process until the reactor stops. */
async function runSingle(
  args: RunnerArgs,
  build: () => Promise<IService>,
  io: RunnerIO,
  reactor: RunnerReactor,
): Promise<number> {
  const root = await build();
  const worker = cluster.isWorker;
  const pidfile = args.pidfile !== undefined && !worker ? new PIDFile(args.pidfile) : undefined;
  pidfile?.claim();
  let closeLog = (): void => {};
  try {
    closeLog = beginLogging({ file: args.logFile, format: args.logFormat, level: args.logLevel });
    log.info("twist {version} (Node {node}) starting {service} with pid {pid}", {
      version: applicationVersion,
      node: process.version,
      service: root.name ?? String(root),
      pid: process.pid,
    });
    let failure: unknown;
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
        try {
          reactor.stop();
        } catch {
          // Already stopping (a signal arrived while starting).
        }
      },
    );
    await stopped;
    if (failure !== undefined) {
      log.critical("{message}", { message: startFailureMessage(failure) });
      globalLogBeginner.stopRedirectingStandardIO();
      io.stderr.write(`twist: ${startFailureMessage(failure)}\n`);
      return 1;
    }
    log.info("Stopped.");
    return 0;
  } finally {
    globalLogBeginner.stopRedirectingStandardIO();
    pidfile?.release();
    closeLog();
  }
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

/** Print `error` and return its exit code: 64 for usage errors, else 1. */
function reportError(error: unknown, io: RunnerIO): number {
  globalLogBeginner.stopRedirectingStandardIO();
  const usage =
    error instanceof UsageError ||
    error instanceof EndpointDescriptionError ||
    (error instanceof PluginError && error.code === "ERR_TORSION_PLUGIN_NOT_FOUND");
  if (usage) {
    io.stderr.write(`twist: ${(error as Error).message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (
    error instanceof PluginError ||
    error instanceof ServiceStartError ||
    (error as { code?: string })?.code?.startsWith?.("ERR_TORSION")
  ) {
    io.stderr.write(`twist: ${(error as Error).message}\n`);
    return 1;
  }
  // Anything else is unexpected: show the stack so it can be reported.
  io.stderr.write(`twist: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
  return 1;
}

/** `twist --help`: usage, options, and the installed plugins (metadata only; nothing imported). */
function generalHelp(catalog: PluginCatalog): string {
  const { plugins, problems } = catalog.found;
  const width = Math.max(8, ...plugins.map((p) => p.name.length));
  const list = plugins.length
    ? [...plugins]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((p) => `  ${p.name.padEnd(width)}  ${p.description}  (${p.packageName})`)
        .join("\n")
    : "  (none installed: install a package that declares one, such as @torsion/echo)";
  const refused = problems.length
    ? `\n\nRefused:\n${problems.map((p) => `  ${p.message}`).join("\n")}`
    : "";
  return (
    `${USAGE}\n\nRun Torsion services: a plugin, an application module, or several plugins composed by a config file.\n\n` +
    `${RUNNER_OPTIONS_HELP}\n\nPlugins:\n${list}${refused}\n\nRun \`twist <plugin> --help\` for a plugin's options.\n`
  );
}
