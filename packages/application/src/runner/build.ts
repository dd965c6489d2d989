/**
 * What `twist` runs: the service tree made from a plugin, an application module, or a config
 * file composing several plugins. Each plugin's arguments are parsed once, here or (for
 * `twist <plugin>`, which may only want `--help`) by the caller.
 *
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { UsageError } from "../errors.ts";
import { checkPluginOptions, type OptionValues, parsePluginArgs } from "../plugin/options.ts";
import type { ServiceMaker } from "../plugin/types.ts";
import { Application } from "../service/multi-service.ts";
import type { IService } from "../service/service.ts";
import type { PluginCatalog } from "./catalog.ts";
import type { TwistConfig } from "./config.ts";
import { makePluginService, type RunnerReactor } from "./helpers.ts";
import { StartupError } from "./startup-error.ts";

/** `twist <plugin> [args]`: an application holding the plugin's service. */
export async function composePlugin(
  maker: ServiceMaker,
  values: OptionValues,
  reactor: RunnerReactor,
): Promise<Application> {
  const app = new Application(maker.name);
  const s = await makePluginService(maker, values, reactor);
  s.name ??= maker.name;
  s.setServiceParent(app);
  return app;
}

/** `twist --config file`: an application holding one service per entry, in order. */
export async function composeConfig(
  catalog: PluginCatalog,
  config: TwistConfig,
  reactor: RunnerReactor,
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
          `Config services[${i}]: the name ${JSON.stringify(name)} is used twice; give each entry its own "name"`,
        );
      let n = 2;
      while (used.has(`${entry.plugin}-${n}`)) n++;
      name = `${entry.plugin}-${n}`;
    }
    used.add(name);
    const s = await makePluginService(maker, values, reactor);
    s.name = name;
    s.setServiceParent(app);
  }
  return app;
}

/**
 * `twist --app module`: the module's exported `application` (Twisted's `.tac` file), resolved
 * from `cwd`.
 *
 * @throws UsageError if it is not found or exports no service; {@link StartupError} if
 *   importing it throws.
 */
export async function loadApplication(path: string, cwd: string): Promise<IService> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(cwd, path)).href)) as Record<string, unknown>;
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    if ((error as { code?: unknown })?.code === "ERR_MODULE_NOT_FOUND")
      throw new UsageError(`Cannot load --app ${path}: ${message}`, { cause: error });
    throw new StartupError(`--app ${path} failed while loading: ${message} (fix the module)`, {
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
