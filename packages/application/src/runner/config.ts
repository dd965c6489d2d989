/**
 * The config file `twist` reads (`--config <file>`, or the first of `torsion.config.js`,
 * `torsion.config.mjs`, `torsion.config.json` in the current directory).
 *
 * Its schema, as JSON (a `.js`/`.mjs` file default-exports the same object):
 *
 * ```json
 * {
 *   "services": [
 *     { "plugin": "echo", "options": { "listen": ["tcp:8007:interface=127.0.0.1"] } },
 *     { "plugin": "qotd", "name": "quotes", "args": ["--listen", "tcp:8017"] }
 *   ]
 * }
 * ```
 *
 * ```js
 * // torsion.config.mjs
 * export default {
 *   services: [{ plugin: "echo", options: { listen: "tcp:8007:interface=127.0.0.1" } }],
 * };
 * ```
 *
 * - `services` (required, at least one): started in this order, stopped in reverse.
 * - `plugin` (required): the plugin's name, as `twist <plugin>`.
 * - `name` (optional): the service's name in logs; default the plugin's, numbered (`echo-2`)
 *   when it repeats. Two entries may not give the same `name`.
 * - `options` (optional): option values by long name, checked against the plugin's options
 *   (a single value is accepted for a repeatable option); or
 * - `args` (optional): the plugin's command-line arguments. Not both.
 *
 * Anything else in the file is a usage error (`twist` exits 64).
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { UsageError } from "../errors.ts";

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

/** The default config file in `dir`, if there is one. */
export function findDefaultConfig(dir: string): string | undefined {
  for (const f of DEFAULT_CONFIG_FILES) {
    const p = resolve(dir, f);
    if (existsSync(p)) return p;
  }
  return undefined;
}

const SHAPE = '{ "services": [{ "plugin": "echo", "options": { ... } }, ...] }';

/**
 * Read and check a config file (`.json`, or a `.js`/`.mjs` module's default export), relative
 * to `cwd`.
 *
 * @throws UsageError naming the file and the entry at fault.
 */
export async function readConfig(path: string, cwd: string = process.cwd()): Promise<TwistConfig> {
  const file = resolve(cwd, path);
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
  if (c === null || typeof c !== "object" || !Array.isArray(c.services) || c.services.length === 0)
    throw new UsageError(`Config ${path} must hold ${SHAPE}`);
  for (const [i, e] of c.services.entries()) checkEntry(e, `Config ${path}: services[${i}]`);
  return c as TwistConfig;
}

function checkEntry(e: unknown, where: string): void {
  const entry = e as Partial<ConfigServiceEntry> | null;
  if (entry === null || typeof entry !== "object" || typeof entry.plugin !== "string")
    throw new UsageError(`${where} must name a "plugin"`);
  if (entry.name !== undefined && typeof entry.name !== "string")
    throw new UsageError(`${where}: "name" must be a string`);
  if (
    entry.args !== undefined &&
    (!Array.isArray(entry.args) || entry.args.some((a) => typeof a !== "string"))
  )
    throw new UsageError(`${where}: "args" must be a list of strings`);
  if (
    entry.options !== undefined &&
    (entry.options === null || typeof entry.options !== "object" || Array.isArray(entry.options))
  )
    throw new UsageError(`${where}: "options" must be an object`);
  if (entry.args !== undefined && entry.options !== undefined)
    throw new UsageError(`${where}: give "options" or "args", not both`);
}
