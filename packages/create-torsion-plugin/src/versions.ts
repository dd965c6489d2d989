/**
 * The version ranges a scaffolded plugin depends on, read from this package's own
 * `package.json` so that they cannot drift from the release they ship with.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** The packages whose ranges a scaffolded plugin uses, and so must be in `devDependencies`. */
export const PINNED_PACKAGES: readonly string[] = [
  "@torsion/application",
  "@torsion/basic",
  "@torsion/core",
  "@types/node",
  "typescript",
  "vitest",
];

/** A package name → the range a scaffolded plugin depends on it with. */
export type VersionRanges = Readonly<Record<string, string>>;

/**
 * The ranges for {@link PINNED_PACKAGES}, from this package's `devDependencies`.
 *
 * They are listed there because `pnpm pack` and `pnpm publish` rewrite `workspace:^` to
 * `^<version being released>`, so the published scaffolder names exactly the `@torsion/*`
 * releases made beside it. Run from the monorepo (before packing), a `workspace:` range is
 * resolved here the same way, from the linked package's version.
 *
 * @throws Error if a package is missing from `devDependencies` or cannot be resolved.
 */
export function versionRanges(
  packageJsonUrl: URL = new URL("../package.json", import.meta.url),
): VersionRanges {
  const own = JSON.parse(readFileSync(packageJsonUrl, "utf8")) as {
    devDependencies?: Record<string, string>;
  };
  const require = createRequire(packageJsonUrl);
  const ranges: Record<string, string> = {};
  for (const name of PINNED_PACKAGES) {
    const spec = own.devDependencies?.[name];
    if (spec === undefined) {
      throw new Error(`create-torsion-plugin: its package.json lists no version of ${name}`);
    }
    ranges[name] = spec.startsWith("workspace:") ? workspaceRange(name, spec, require) : spec;
  }
  return ranges;
}

/** `workspace:^` → `^1.2.3`, `workspace:~` → `~1.2.3`, `workspace:*` → `1.2.3`, as pnpm packs them. */
function workspaceRange(name: string, spec: string, require: NodeJS.Require): string {
  const { version } = require(`${name}/package.json`) as { version: string };
  const rest = spec.slice("workspace:".length);
  if (rest === "^" || rest === "~") return `${rest}${version}`;
  if (rest === "*") return version;
  return rest;
}
