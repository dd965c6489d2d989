/**
 * {@link scaffold}: write a new plugin package into a directory.
 *
 * @module
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { checkPackageName, checkPluginName, className, pluginNameFor } from "./names.ts";
import type { ProtocolKind, TemplateContext } from "./template/context.ts";
import { templateFiles } from "./template/files.ts";
import { type VersionRanges, versionRanges } from "./versions.ts";

/** What to scaffold. Only `directory` is required. */
export interface ScaffoldOptions {
  /** Where to create the package; created if missing, refused unless empty. */
  readonly directory: string;
  /** The npm package name; default the directory's name. */
  readonly packageName?: string;
  /** `twist <name>`; default the package name without scope and `torsion-plugin-` prefix. */
  readonly pluginName?: string;
  /** `line` (a `LineReceiver`, the default) or `raw` (a `Protocol` over bytes). */
  readonly protocol?: ProtocolKind;
  /** Dependency ranges; default those this scaffolder was released with ({@link versionRanges}). */
  readonly ranges?: VersionRanges;
}

/** What {@link scaffold} wrote. */
export interface ScaffoldResult {
  /** The absolute directory. */
  readonly directory: string;
  readonly packageName: string;
  readonly pluginName: string;
  /** The files written, relative to `directory`, with `/`. */
  readonly files: readonly string[];
}

/** Thrown when the target directory exists and is not empty (or is not a directory). */
export class DirectoryNotEmptyError extends Error {
  override name = "DirectoryNotEmptyError";
}

/**
 * Scaffold a standalone plugin package: protocol, plugin, tests and README, depending on
 * published `@torsion/*` ranges only.
 *
 * @throws InvalidNameError for a bad package or plugin name, DirectoryNotEmptyError if
 *   `directory` holds anything; nothing is written in either case.
 */
export function scaffold(options: ScaffoldOptions): ScaffoldResult {
  const directory = resolve(options.directory);
  const packageName = checkPackageName(options.packageName ?? basename(directory));
  const pluginName = checkPluginName(options.pluginName ?? pluginNameFor(packageName));
  const protocol = options.protocol ?? "line";
  if (protocol !== "line" && protocol !== "raw") {
    throw new TypeError(`protocol must be "line" or "raw", not ${JSON.stringify(protocol)}`);
  }
  refuseNonEmpty(directory);
  const ctx: TemplateContext = {
    packageName,
    pluginName,
    className: className(pluginName),
    protocol,
    ranges: options.ranges ?? versionRanges(),
  };
  const files = templateFiles(ctx);
  for (const [path, content] of files) {
    const target = join(directory, path);
    mkdirSync(dirname(target), { recursive: true });
    // "wx": never overwrite, even if something appeared since the emptiness check.
    writeFileSync(target, content, { flag: "wx" });
  }
  return { directory, packageName, pluginName, files: [...files.keys()] };
}

function refuseNonEmpty(directory: string): void {
  let entries: string[];
  try {
    if (!statSync(directory).isDirectory()) {
      throw new DirectoryNotEmptyError(`${directory} exists and is not a directory`);
    }
    entries = readdirSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if (entries.length > 0) {
    throw new DirectoryNotEmptyError(
      `${directory} is not empty (${entries.length} entr${entries.length === 1 ? "y" : "ies"}): choose a new or empty directory`,
    );
  }
}
