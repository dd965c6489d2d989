/**
 * Vitest global setup: the CLI tests run `twist` as a child process from `dist/` (the way users
 * run it), so make sure `dist/` of this package and of `@torsion/core` (which it imports at run
 * time) is built and not older than its sources. A fresh clone's `pnpm test` (no build) then
 * passes; CI, which builds first, finds everything up to date and builds nothing.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..");

/** The packages the `twist` child process loads from dist/. */
const PACKAGES = ["core", "process", "application"];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts"))
      newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
  for (const name of PACKAGES) {
    const dir = join(root, "packages", name);
    const marker = join(dir, "dist", "index.js");
    const stale = !existsSync(marker) || statSync(marker).mtimeMs < newestSource(join(dir, "src"));
    if (!stale) continue;
    const r = spawnSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], {
      encoding: "utf8",
    });
    // tsc emits even when it reports type errors (another package's work in progress): only a
    // missing output is fatal here; type errors are the type-check's business.
    if (!existsSync(marker))
      throw new Error(`Building packages/${name} failed:\n${r.stdout}${r.stderr}`);
  }
}
