/**
 * Plugin discovery: which installed packages declare plugins, from their `package.json` only.
 * Nothing is imported and nothing is cached (no file to go stale or to need write access).
 *
 * @module
 */
import { readdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
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
}

/** Options of {@link discoverPlugins}. */
export interface DiscoveryOptions {
  /**
   * Directories to search from: the `node_modules` directories in each and in each of its
   * parents are scanned, in order. Default: the current directory, then the runner's own
   * location (so a globally installed `twist` sees the plugins installed beside it).
   */
  from?: readonly string[];
}

const runnerDir = dirname(fileURLToPath(import.meta.url));

/** Every `node_modules` directory in `dirs` and their parents, nearest first, without repeats. */
export function nodeModulesDirs(dirs: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const start of dirs) {
    let dir = resolve(start);
    for (;;) {
      const nm = join(dir, "node_modules");
      if (!seen.has(nm)) {
        seen.add(nm);
        out.push(nm);
      }
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return out;
}

/**
 * Find the plugins declared by installed packages: the `"torsion": { "plugins": [...] }` field of
 * each `package.json` directly in the `node_modules` directories searched (scoped packages
 * included; symlinked packages, as pnpm installs them, followed). When two packages declare
 * the same plugin name, the nearest wins.
 */
export function discoverPlugins(options: DiscoveryOptions = {}): DiscoveryResult {
  const from = options.from ?? [process.cwd(), runnerDir];
  const plugins: PluginInfo[] = [];
  const problems: PluginError[] = [];
  const names = new Set<string>();
  const packages = new Set<string>();
  for (const nm of nodeModulesDirs(from)) {
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
        else if (!names.has(result.name)) {
          names.add(result.name);
          plugins.push(result);
        }
      }
    }
  }
  return { plugins, problems };
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
