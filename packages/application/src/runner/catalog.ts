/**
 * {@link PluginCatalog}: the plugins installed where `twist` looks (the project around the
 * current directory, and `twist`'s own installation), discovered once, loaded by name.
 *
 * @module
 */
import { PluginError } from "../errors.ts";
import { type DiscoveryResult, discoverPlugins, type PluginInfo } from "../plugin/discovery.ts";
import { loadPlugin } from "../plugin/load.ts";
import type { ServiceMaker } from "../plugin/types.ts";

/** Finds and loads plugins, remembering what discovery found. */
export class PluginCatalog {
  readonly #applicationVersion: string;
  readonly #from: readonly string[] | undefined;
  #found: DiscoveryResult | undefined;

  /**
   * @param applicationVersion The runner's version, checked against each plugin's range.
   * @param from Where to discover from (see {@link discoverPlugins}); default its default.
   */
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

  /**
   * The packages that also offer plugin `name` and lost to {@link PluginCatalog.info}'s (the
   * nearest installation wins).
   */
  shadowed(name: string): readonly PluginInfo[] {
    return this.found.shadowed.filter((p) => p.name === name);
  }

  /** Import plugin `name` and check it. @throws PluginError. */
  load(name: string): Promise<ServiceMaker> {
    return loadPlugin(this.info(name), { applicationVersion: this.#applicationVersion });
  }
}
