import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * The packages whose `dist/` is missing or older than a file of their `src/`: what the doc
 * tests would check stale, since they run against the built packages.
 */
export function stalePackages(root: string): string[] {
  const packages = join(root, "packages");
  const stale: string[] = [];
  for (const name of readdirSync(packages)) {
    const src = join(packages, name, "src");
    if (!existsSync(src)) continue;
    const built = join(packages, name, "dist", "index.js");
    if (!existsSync(built)) {
      stale.push(name);
      continue;
    }
    const builtAt = statSync(built).mtimeMs;
    const newer = readdirSync(src, { recursive: true, withFileTypes: true }).some(
      (entry) =>
        entry.isFile() &&
        entry.name.endsWith(".ts") &&
        !entry.name.endsWith(".test.ts") &&
        statSync(join(entry.parentPath, entry.name)).mtimeMs > builtAt,
    );
    if (newer) stale.push(name);
  }
  return stale;
}
