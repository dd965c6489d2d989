/**
 * What `twist` runs: the service tree made from a plugin, an application module, or a config
 * file composing several plugins.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { EndpointDescriptionError, type IReactor, type IReactorTime, Logger } from "@torsion/core";
import type { EndpointReactor } from "@torsion/core/endpoints";
import { PluginError, UsageError } from "../errors.ts";
import { type DiscoveryResult, discoverPlugins, type PluginInfo } from "../plugin/discovery.ts";
import { loadPlugin } from "../plugin/load.ts";
import { checkPluginOptions, parsePluginArgs } from "../plugin/options.ts";
import type { ServiceMaker, ServiceMakerHelpers } from "../plugin/types.ts";
import { service as endpointService } from "../service/endpoint-service.ts";
import { Application, MultiService } from "../service/multi-service.ts";
import type { IService } from "../service/service.ts";
import { parseUDPAddress, UDPServer } from "../service/udp-server.ts";

/** The reactor `twist` runs on. */
export type RunnerReactor = IReactor & EndpointReactor & IReactorTime;

/** The names of the config files looked for in the current directory, in order. */
export const DEFAULT_CONFIG_FILES: readonly string[] = [
  "torsion.config.js",
  "torsion.config.mjs",
  "torsion.config.json",
];

/** One entry of a config file's `services`. */
export interface ConfigServiceEntry {
  /** The plugin to run. */
  plugin: string;
  /** The service's name (default: the plugin's, numbered if it repeats). */
  name?: string;
  /** Option values by name (`{ "listen": ["tcp:8007"] }`). */
  options?: Record<string, unknown>;
  /** Or the plugin's command-line arguments (`["--listen", "tcp:8007"]`). */
  args?: string[];
}

/** A config file's content (`torsion.config.json`, or the default export of a `.js`/`.mjs`). */
export interface TwistConfig {
  /** The plugins to run in one process, started in this order, stopped in reverse. */
  services: ConfigServiceEntry[];
}

/** Finds and loads plugins, remembering what discovery found. */
export class PluginCatalog {
  readonly #applicationVersion: string;
  readonly #from: readonly string[] | undefined;
  #found: DiscoveryResult | undefined;

  constructor(applicationVersion: string, from?: readonly string[]) {
    this.#applicationVersion = applicationVersion;
    this.#from = from;
  }

  /** What discovery found (done once). */
  get found(): DiscoveryResult {
    this.#found ??= discoverPlugins(this.#from === undefined ? {} : { from: this.#from });
    return this.#found;
  }

  /** The declaration of plugin `name`. @throws PluginError `ERR_TORSION_PLUGIN_NOT_FOUND`. */
  info(name: string): PluginInfo {
    const info = this.found.plugins.find((p) => p.name === name);
    if (info !== undefined) return info;
    const refused = this.found.problems.map((p) => `\n  ${p.message}`).join("");
    const installed = this.found.plugins.map((p) => p.name).join(", ") || "none";
    throw new PluginError(
      "ERR_TORSION_PLUGIN_NOT_FOUND",
      `No plugin named ${JSON.stringify(name)} is installed (installed: ${installed}); install the package that provides it${refused}`,
    );
  }

  /** Import plugin `name` and check it. @throws PluginError. */
  load(name: string): Promise<ServiceMaker> {
    return loadPlugin(this.info(name), { applicationVersion: this.#applicationVersion });
  }
}

/**
 * The helpers `twist` gives plugin `pluginName`'s `makeService`: `listen` makes a
 * `StreamServerEndpointService` (draining for `drainTimeout` seconds on stop, if given),
 * `listenUDP` a {@link UDPServer}, `combine` a `MultiService`. Also for a plugin's own tests,
 * to make its service exactly as `twist` would.
 */
export function serviceMakerHelpers(
  pluginName: string,
  reactor: RunnerReactor,
  drainTimeout?: number,
): ServiceMakerHelpers {
  return {
    reactor,
    listen: (description, factory) =>
      endpointService(
        description,
        factory,
        reactor,
        drainTimeout === undefined ? {} : { drainTimeout },
      ),
    listenUDP: (address, protocol, options = {}) => {
      if (typeof address === "number") return new UDPServer(reactor, address, protocol, options);
      const { interface: host, port } = parseUDPAddress(address);
      // A bare PORT keeps the interface given in the options.
      return new UDPServer(
        reactor,
        port,
        protocol,
        host ? { ...options, interface: host } : options,
      );
    },
    logger: new Logger(pluginName),
    combine: (services) => {
      if (services.length === 1) return services[0]!;
      const all = new MultiService();
      for (const s of services) s.setServiceParent(all);
      return all;
    },
  };
}

/**
 * Make plugin `maker`'s service from option `values`.
 *
 * @throws UsageError (`twist` exits 64) for what `makeService` throws: a plugin refuses its
 *   options by throwing (`QuoteTooLongError`, a file it cannot read, an unknown time zone), and
 *   cannot import this package's classes at run time to say so. The message names the plugin;
 *   the plugin's error is the `cause`. `EndpointDescriptionError` and `PluginError` pass as is.
 */
export async function makePluginService(
  maker: ServiceMaker,
  values: Record<string, unknown>,
  reactor: RunnerReactor,
  drainTimeout?: number,
): Promise<IService> {
  let made: IService;
  try {
    made = await maker.makeService(
      values as never,
      serviceMakerHelpers(maker.name, reactor, drainTimeout),
    );
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof EndpointDescriptionError ||
      error instanceof PluginError
    )
      throw error;
    const message = (error as Error)?.message ?? String(error);
    throw new UsageError(`${maker.name}: ${message}`, { cause: error });
  }
  if (
    made === null ||
    typeof made !== "object" ||
    typeof (made as IService).startService !== "function"
  ) {
    throw new TypeError(
      `Plugin ${JSON.stringify(maker.name)}: makeService must return a service (an object with startService)`,
    );
  }
  return made;
}

/** `twist <plugin> [args]`: an application holding the plugin's service. */
export async function composePlugin(
  catalog: PluginCatalog,
  name: string,
  args: readonly string[],
  reactor: RunnerReactor,
  drainTimeout?: number,
): Promise<Application> {
  const maker = await catalog.load(name);
  const { values } = parsePluginArgs(name, maker.options, args);
  const app = new Application(name);
  const s = await makePluginService(maker, values, reactor, drainTimeout);
  s.name ??= name;
  s.setServiceParent(app);
  return app;
}

/** `twist --config file`: an application holding one service per entry, in order. */
export async function composeConfig(
  catalog: PluginCatalog,
  config: TwistConfig,
  reactor: RunnerReactor,
  drainTimeout?: number,
): Promise<Application> {
  const app = new Application("twist");
  const used = new Set<string>();
  for (const [i, entry] of config.services.entries()) {
    const maker = await catalog.load(entry.plugin);
    const values =
      entry.args !== undefined
        ? parsePluginArgs(entry.plugin, maker.options, entry.args).values
        : checkPluginOptions(entry.plugin, maker.options, entry.options ?? {});
    let name = entry.name ?? entry.plugin;
    if (used.has(name)) {
      if (entry.name !== undefined)
        throw new UsageError(
          `Config services[${i}]: the name ${JSON.stringify(name)} is used twice`,
        );
      let n = 2;
      while (used.has(`${entry.plugin}-${n}`)) n++;
      name = `${entry.plugin}-${n}`;
    }
    used.add(name);
    const s = await makePluginService(maker, values, reactor, drainTimeout);
    s.name = name;
    s.setServiceParent(app);
  }
  return app;
}

/** The default config file in `dir`, if there is one. */
export function findDefaultConfig(dir: string): string | undefined {
  for (const f of DEFAULT_CONFIG_FILES) {
    const p = resolve(dir, f);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Read and check a config file (`.json`, or a `.js`/`.mjs` module's default export). @throws UsageError. */
export async function readConfig(path: string): Promise<TwistConfig> {
  const file = resolve(path);
  let raw: unknown;
  try {
    if (extname(file) === ".json") raw = JSON.parse(readFileSync(file, "utf8"));
    else raw = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
  } catch (error) {
    throw new UsageError(`Cannot read config ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const c = raw as Partial<TwistConfig> | null;
  if (
    c === null ||
    typeof c !== "object" ||
    !Array.isArray(c.services) ||
    c.services.length === 0
  ) {
    throw new UsageError(
      `Config ${path} must hold { "services": [{ "plugin": "echo", "options": { ... } }, ...] }`,
    );
  }
  for (const [i, e] of c.services.entries()) {
    const entry = e as Partial<ConfigServiceEntry> | null;
    const where = `Config ${path}: services[${i}]`;
    if (entry === null || typeof entry !== "object" || typeof entry.plugin !== "string")
      throw new UsageError(`${where} must name a "plugin"`);
    if (entry.name !== undefined && typeof entry.name !== "string")
      throw new UsageError(`${where}: "name" must be a string`);
    if (
      entry.args !== undefined &&
      (!Array.isArray(entry.args) || entry.args.some((a) => typeof a !== "string"))
    ) {
      throw new UsageError(`${where}: "args" must be a list of strings`);
    }
    if (
      entry.options !== undefined &&
      (entry.options === null || typeof entry.options !== "object" || Array.isArray(entry.options))
    ) {
      throw new UsageError(`${where}: "options" must be an object`);
    }
    if (entry.args !== undefined && entry.options !== undefined)
      throw new UsageError(`${where}: give "options" or "args", not both`);
  }
  return c as TwistConfig;
}

/** `twist --app module`: the module's exported `application` (Twisted's `.tac` file). @throws UsageError. */
export async function loadApplication(path: string): Promise<IService> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`Cannot load --app ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const app = (mod.application ??
    (mod.default as Record<string, unknown> | undefined)?.application) as IService | undefined;
  if (app === null || typeof app !== "object" || typeof app.startService !== "function") {
    throw new UsageError(
      `--app ${path} must export \`application\` (an Application or other service)`,
    );
  }
  return app;
}

/** Every service in the tree under `root` (`root` first). */
export function* walkServices(root: IService): Generator<IService> {
  yield root;
  if (typeof (root as Partial<Iterable<IService>>)[Symbol.iterator] === "function") {
    for (const child of root as unknown as Iterable<IService>) yield* walkServices(child);
  }
}

/** Give every endpoint service under `root` that has no drain timeout of its own `seconds`. */
export function setDrainTimeout(root: IService, seconds: number): void {
  for (const s of walkServices(root)) {
    const d = s as { drainTimeout?: number };
    if ("drainTimeout" in d && d.drainTimeout === undefined) d.drainTimeout = seconds;
  }
}
