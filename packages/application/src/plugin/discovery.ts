/**
 * Plugin discovery: which installed packages declare plugins, from their `package.json` only.
 * Nothing is imported and nothing is cached (no file to go stale or to need write access).
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PluginError } from "../errors.ts";
import { validRange } from "./semver.ts";

/** A plugin as its package declares it, before its module is imported. */
export interface PluginInfo {
  /** `twist <name>`. */
  name: string;
  /** One line for `twist --help`. */
  description: string;
  /** The subpath of the package's `exports` that default-exports the service maker (`./plugin`). */
  module: string;
  /** The package's name (`@torsion/echo`). */
  packageName: string;
  /** The package's version. */
  packageVersion: string;
  /** The package's directory (symlinks resolved). */
  packageDir: string;
  /** The package's `exports` field, to resolve {@link PluginInfo.module} with. */
  exports: unknown;
  /** `peerDependencies["@torsion/application"]`, if declared. */
  applicationRange: string | undefined;
}

/** What {@link discoverPlugins} found. */
export interface DiscoveryResult {
  /** The plugins, nearest installation first, one per name. */
  plugins: PluginInfo[];
  /** Packages whose plugin metadata is malformed, each a {@link PluginError} naming the package. */
  problems: PluginError[];
  /** Plugins whose name a nearer package already offers: found, and not used. */
  shadowed: PluginInfo[];
}

/** Options of {@link discoverPlugins}. */
export interface DiscoveryOptions {
  /**
   * Projects to search from, in order: for each directory, the `node_modules` directories in
   * it and in its parents up to its project root (the nearest directory with a
   * `package.json`) are scanned, and no further, so that a `node_modules` in a parent
   * directory (such as `/tmp`) cannot inject plugins. Default: the current directory.
   */
  from?: readonly string[];
  /**
   * Installations to search too: the `node_modules` directory each of these paths lies in
   * (the one holding the package). Default: `twist`'s own installation, so a globally
   * installed `twist` sees the plugins installed beside it.
   */
  installations?: readonly string[];
}

const runnerDir = dirname(fileURLToPath(import.meta.url));

/**
 * The `node_modules` directories searched, nearest first, without repeats: for each of `dirs`,
 * those in it and its parents up to its project root (the nearest directory holding a
 * `package.json`; just `dir` itself when there is none up to `/`); for each of
 * `installations`, the `node_modules` directory it lies in, if any.
 */
export function nodeModulesDirs(
  dirs: readonly string[],
  installations: readonly string[] = [],
): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (nm: string): void => {
    if (!seen.has(nm)) {
      seen.add(nm);
      out.push(nm);
    }
  };
  for (const start of dirs) {
    const from = resolve(start);
    const root = projectRoot(from);
    if (root === undefined) {
      add(join(from, "node_modules"));
      continue;
    }
    for (let dir = from; ; dir = dirname(dir)) {
      add(join(dir, "node_modules"));
      if (dir === root) break;
    }
  }
  for (const path of installations) {
    const nm = enclosingNodeModules(resolve(path));
    if (nm !== undefined) add(nm);
  }
  return out;
}

/** The nearest directory at or above `dir` that holds a `package.json`. */
export function projectRoot(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, "package.json"))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** The innermost `node_modules` directory `path` lies in. */
function enclosingNodeModules(path: string): string | undefined {
  for (let d = path; dirname(d) !== d; d = dirname(d)) {
    if (basename(d) === "node_modules") return d;
  }
  return undefined;
}

/**
 * Find the plugins declared by installed packages: the `"torsion": { "plugins": [...] }` field of
 * each `package.json` directly in the `node_modules` directories searched (scoped packages
 * included; symlinked packages, as pnpm installs them, followed). When two packages declare
 * the same plugin name, the nearest wins and the other is listed in `shadowed`.
 */
export function discoverPlugins(options: DiscoveryOptions = {}): DiscoveryResult {
  const from = options.from ?? [process.cwd()];
  const installations = options.installations ?? [runnerDir];
  const plugins: PluginInfo[] = [];
  const problems: PluginError[] = [];
  const shadowed: PluginInfo[] = [];
  const names = new Set<string>();
  const packages = new Set<string>();
  for (const nm of nodeModulesDirs(from, installations)) {
    for (const dir of packageDirs(nm)) {
      let real: string;
      try {
        real = realpathSync(dir);
      } catch {
        continue; // a dangling symlink
      }
      if (packages.has(real)) continue;
      packages.add(real);
      let text: string;
      try {
        text = readFileSync(join(real, "package.json"), "utf8");
      } catch {
        continue;
      }
      // Most packages are not plugins: skip parsing them.
      if (!text.includes('"torsion"')) continue;
      for (const result of readDeclarations(text, real)) {
        if (result instanceof PluginError) problems.push(result);
        else if (names.has(result.name)) shadowed.push(result);
        else {
          names.add(result.name);
          plugins.push(result);
        }
      }
    }
  }
  return { plugins, problems, shadowed };
}

/** The package directories in one `node_modules` (`name` and `@scope/name`), skipping `.bin`, `.pnpm`. */
function packageDirs(nm: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(nm);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort()) {
    if (e.startsWith(".")) continue;
    if (e.startsWith("@")) {
      let scoped: string[];
      try {
        scoped = readdirSync(join(nm, e));
      } catch {
        continue;
      }
      for (const s of scoped.sort()) if (!s.startsWith(".")) out.push(join(nm, e, s));
    } else {
      out.push(join(nm, e));
    }
  }
  return out;
}

/** The plugins a package.json declares, or a {@link PluginError} for each malformed declaration. */
export function readDeclarations(text: string, packageDir: string): (PluginInfo | PluginError)[] {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    return [metadataError(packageDir, `has an invalid package.json: ${(error as Error).message}`)];
  }
  const torsion = pkg.torsion as { plugins?: unknown } | undefined;
  if (torsion === null || typeof torsion !== "object" || torsion.plugins === undefined) return [];
  const packageName = typeof pkg.name === "string" ? pkg.name : packageDir;
  const bad = (why: string) => metadataError(packageDir, why, packageName);
  if (!Array.isArray(torsion.plugins)) {
    return [
      bad(
        `Package ${packageName} must declare "torsion": { "plugins": [{ name, description, module }] } (plugins is not an array)`,
      ),
    ];
  }
  const peers = pkg.peerDependencies as Record<string, unknown> | undefined;
  const range = peers?.["@torsion/application"];
  if (range !== undefined && (typeof range !== "string" || !validRange(range))) {
    return [
      bad(
        `Package ${packageName} declares an invalid peerDependencies["@torsion/application"] range: ${JSON.stringify(range)}`,
      ),
    ];
  }
  return torsion.plugins.map((entry: unknown, i: number) => {
    const e = entry as Record<string, unknown> | null;
    const missing = ["name", "description", "module"].filter(
      (k) => typeof e?.[k] !== "string" || e[k] === "",
    );
    if (missing.length > 0) {
      return bad(
        `Package ${packageName}: torsion.plugins[${i}] must have string name, description and module (missing ${missing.join(", ")})`,
      );
    }
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(e!.name as string)) {
      return bad(
        `Package ${packageName}: plugin name ${JSON.stringify(e!.name)} must be letters, digits, '.', '_' or '-'`,
      );
    }
    return {
      name: e!.name as string,
      description: e!.description as string,
      module: e!.module as string,
      packageName,
      packageVersion: typeof pkg.version === "string" ? pkg.version : "0.0.0",
      packageDir,
      exports: pkg.exports,
      applicationRange: range as string | undefined,
    };
  });
}

function metadataError(packageDir: string, why: string, packageName?: string): PluginError {
  return new PluginError(
    "ERR_TORSION_PLUGIN_METADATA",
    why.startsWith("Package") ? why : `Package at ${packageDir} ${why}`,
    packageName,
  );
}
