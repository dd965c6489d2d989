// The site's API entry points, read from each package's `exports` map, so a subpath a package
// adds (`@torsion/core/logger`, ...) is documented, titled by its import specifier, as soon as
// it exists: no list to keep in step by hand.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * @param {string} root the repository root
 * @returns {{ specifier: string, file: string, readme: string | undefined }[]} one per export
 *   (`./package.json` excepted); `readme` is set on a package's root export.
 */
export function entryPoints(root) {
  const found = [];
  const packages = join(root, "packages");
  for (const dir of readdirSync(packages).sort()) {
    const manifestPath = join(packages, dir, "package.json");
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    if (manifest.private) continue;
    for (const [key, target] of Object.entries(manifest.exports ?? {})) {
      const source = typeof target === "object" ? target["@torsion/source"] : undefined;
      if (!source?.endsWith(".ts")) continue;
      const readme = join(packages, dir, "README.md");
      found.push({
        specifier: key === "." ? manifest.name : `${manifest.name}${key.slice(1)}`,
        file: resolve(packages, dir, source),
        readme: key === "." && existsSync(readme) ? readme : undefined,
      });
    }
  }
  return found;
}
