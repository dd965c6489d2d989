import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * The Markdown pages whose blocks are doc-tested, as paths relative to the repository root:
 * the root README, every package's and example's README, examples/README.md and every guide.
 */
export function docPages(root: string): string[] {
  const pages = ["README.md"];
  for (const parent of ["packages", "examples"]) {
    const dir = join(root, parent);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === "node_modules" || entry.name === "dist") continue;
      const readme = join(parent, entry.name, "README.md");
      if (existsSync(join(root, readme)) && !UNTESTED.has(readme)) pages.push(readme);
    }
  }
  if (existsSync(join(root, "examples/README.md"))) pages.push("examples/README.md");
  pages.push(...markdownUnder(root, "docs/guides"));
  return pages;
}

/**
 * Pages not doc-tested here, each with the reason. The plugin scaffold's README is
 * followed word for word, out of the repository, by `.ci/steps/30-plugin-scaffold.sh`.
 */
export const UNTESTED: ReadonlyMap<string, string> = new Map([
  [
    "examples/plugin-template/README.md",
    "run end to end outside the repository by the plugin scaffold CI step",
  ],
  [
    "packages/create-torsion-plugin/README.md",
    "run end to end outside the repository by the plugin scaffold CI step",
  ],
]);

function markdownUnder(root: string, dir: string): string[] {
  const absolute = join(root, dir);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".md"))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}
