/**
 * Loading a discovered plugin: check its `@torsion/application` range, resolve its module
 * through the package's `exports`, import it, and check the default export's shape.
 *
 * @module
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PluginError } from "../errors.ts";
import type { PluginInfo } from "./discovery.ts";
import { satisfies } from "./semver.ts";
import type { ServiceMaker } from "./types.ts";

/** Options of {@link loadPlugin}. */
export interface LoadPluginOptions {
  /** The version of `@torsion/application` doing the loading (the runner's own). */
  applicationVersion: string;
  /** Export conditions to resolve with; default Node's (`node`, `import`, plus `--conditions`). */
  conditions?: readonly string[];
}

/**
 * Import the plugin `info` describes and return its service maker.
 *
 * @throws PluginError with code `ERR_TORSION_PLUGIN_INCOMPATIBLE` if the package's
 *   `peerDependencies["@torsion/application"]` does not accept `applicationVersion` (checked
 *   before any of its code runs); `ERR_TORSION_PLUGIN_METADATA` if `module` is not exported;
 *   `ERR_TORSION_PLUGIN_IMPORT` if importing it throws; `ERR_TORSION_PLUGIN_SHAPE` if its
 *   default export is not a service maker.
 */
export async function loadPlugin(
  info: PluginInfo,
  options: LoadPluginOptions,
): Promise<ServiceMaker> {
  const who = `Plugin ${JSON.stringify(info.name)} from ${info.packageName}`;
  const range = info.applicationRange;
  if (range !== undefined && !satisfies(options.applicationVersion, range)) {
    throw new PluginError(
      "ERR_TORSION_PLUGIN_INCOMPATIBLE",
      `${who} requires @torsion/application ${range}, but this twist is ${options.applicationVersion}: install versions that match`,
      info.packageName,
    );
  }
  const conditions = new Set(options.conditions ?? nodeConditions());
  const file = resolvePackageExport(info.packageDir, info.exports, info.module, conditions);
  if (file === undefined) {
    throw new PluginError(
      "ERR_TORSION_PLUGIN_METADATA",
      `${who} names module ${JSON.stringify(info.module)}, which the package does not export`,
      info.packageName,
    );
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw new PluginError(
      "ERR_TORSION_PLUGIN_IMPORT",
      `${who} could not be loaded: ${(error as Error)?.message ?? String(error)}`,
      info.packageName,
      { cause: error },
    );
  }
  const problem = shapeProblem(mod.default, info.name);
  if (problem !== undefined) {
    throw new PluginError(
      "ERR_TORSION_PLUGIN_SHAPE",
      `${who} must export default { name, description, options, makeService } (${problem})`,
      info.packageName,
    );
  }
  return mod.default as ServiceMaker;
}

/** What is wrong with `maker` as a service maker, or `undefined` if nothing. */
export function shapeProblem(maker: unknown, expectedName?: string): string | undefined {
  if (maker === null || typeof maker !== "object")
    return maker === undefined
      ? "there is no default export"
      : `the default export is ${typeof maker}`;
  const m = maker as Record<string, unknown>;
  if (typeof m.name !== "string") return "name is not a string";
  if (expectedName !== undefined && m.name !== expectedName) {
    return `its name is ${JSON.stringify(m.name)}, but package.json declares ${JSON.stringify(expectedName)}`;
  }
  if (typeof m.description !== "string") return "description is not a string";
  if (m.options === null || typeof m.options !== "object" || Array.isArray(m.options))
    return "options is not an object";
  for (const [key, spec] of Object.entries(m.options as Record<string, unknown>)) {
    const s = spec as Record<string, unknown> | null;
    if (s === null || typeof s !== "object") return `option ${key} is not an object`;
    if (s.type !== "string" && s.type !== "boolean")
      return `option ${key} has type ${JSON.stringify(s.type)}, not "string" or "boolean"`;
    if (typeof s.description !== "string") return `option ${key} has no description`;
    if (s.short !== undefined && (typeof s.short !== "string" || s.short.length !== 1))
      return `option ${key} has a short name that is not one letter`;
  }
  if (typeof m.makeService !== "function") return "makeService is not a function";
  return undefined;
}

/** The conditions Node resolves imports with in this process: `node`, `import`, and any `--conditions`. */
export function nodeConditions(): string[] {
  const out = ["node", "import"];
  const args = [
    ...process.execArgv,
    ...(process.env.NODE_OPTIONS ?? "").split(/\s+/).filter(Boolean),
  ];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^(?:--conditions|-C)(?:=(.*))?$/.exec(a);
    if (m === null) continue;
    const value = m[1] ?? args[++i];
    if (value !== undefined) out.push(value);
  }
  return out;
}

/**
 * Resolve `subpath` (`"."`, `"./plugin"`) through a package's `exports` field the way Node does
 * for `import` (conditions in the order the package lists them, `default` always matching,
 * `*` patterns). A package without `exports` resolves the subpath as a file path.
 *
 * @returns The absolute file path, or `undefined` if the package does not export `subpath`.
 */
export function resolvePackageExport(
  packageDir: string,
  exports: unknown,
  subpath: string,
  conditions: ReadonlySet<string>,
): string | undefined {
  const sub = subpath === "." || subpath.startsWith("./") ? subpath : `./${subpath}`;
  if (exports === undefined || exports === null) return join(packageDir, sub);
  const map: Record<string, unknown> =
    typeof exports === "string" ||
    Array.isArray(exports) ||
    !Object.keys(exports as object).some((k) => k.startsWith("."))
      ? { ".": exports }
      : (exports as Record<string, unknown>);
  let target: string | undefined;
  if (Object.hasOwn(map, sub)) {
    target = resolveTarget(map[sub], conditions, undefined);
  } else {
    // The longest matching "./prefix*suffix" pattern.
    let best: [key: string, star: string] | undefined;
    for (const key of Object.keys(map)) {
      const star = key.indexOf("*");
      if (star < 0) continue;
      const prefix = key.slice(0, star);
      const suffix = key.slice(star + 1);
      if (sub.startsWith(prefix) && sub.endsWith(suffix) && sub.length >= key.length - 1) {
        if (best === undefined || prefix.length > best[0].indexOf("*"))
          best = [key, sub.slice(prefix.length, sub.length - suffix.length)];
      }
    }
    if (best !== undefined) target = resolveTarget(map[best[0]], conditions, best[1]);
  }
  if (target === undefined || !target.startsWith("./")) return undefined;
  return join(packageDir, target);
}

function resolveTarget(
  target: unknown,
  conditions: ReadonlySet<string>,
  star: string | undefined,
): string | undefined {
  if (typeof target === "string") return star === undefined ? target : target.replaceAll("*", star);
  if (Array.isArray(target)) {
    for (const t of target) {
      const r = resolveTarget(t, conditions, star);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  if (target === null || typeof target !== "object") return undefined;
  for (const [key, value] of Object.entries(target)) {
    if (key === "default" || conditions.has(key)) {
      const r = resolveTarget(value, conditions, star);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}
