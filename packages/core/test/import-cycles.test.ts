// No import circles in any package's src/: a small depth-first search over the relative
// imports (value and type imports alike, and `export … from`), so a new circle fails here
// with its path spelled out instead of surfacing later as a lazy-map workaround or a
// half-initialised module.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packagesDir = fileURLToPath(new URL("../../", import.meta.url));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (
      /\.(ts|mts)$/.test(name) &&
      !/\.(test|bench)\.ts$/.test(name) &&
      !name.endsWith(".d.ts")
    )
      out.push(path);
  }
  return out;
}

const specifier = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s*["'](\.{1,2}\/[^"']+)["']/g;
const bare = /(?:^|\n)\s*import\s*["'](\.{1,2}\/[^"']+)["']/g;

/** The relative imports of `file`, resolved to absolute paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const found: string[] = [];
  for (const re of [specifier, bare])
    for (const m of text.matchAll(re)) found.push(resolve(dirname(file), m[1] as string));
  return found;
}

/** Every cycle reachable in `graph`, each as the list of files from its first node back to it. */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, "active" | "done">();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, "active");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      const s = state.get(next);
      if (s === "active") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

describe("import cycles", () => {
  it("the search finds a planted cycle and accepts a tree", () => {
    const cyclic = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    expect(findCycles(cyclic)).toEqual([["a", "b", "c", "a"]]);
    const tree = new Map([
      ["a", ["b", "c"]],
      ["b", ["c"]],
      ["c", []],
    ]);
    expect(findCycles(tree)).toEqual([]);
  });

  const packages = readdirSync(packagesDir).filter((p) => {
    try {
      return statSync(join(packagesDir, p, "src")).isDirectory();
    } catch {
      return false;
    }
  });

  it.each(packages)("packages/%s/src has none", (pkg) => {
    const graph = new Map<string, string[]>();
    for (const file of sourceFiles(join(packagesDir, pkg, "src"))) graph.set(file, importsOf(file));
    expect(graph.size).toBeGreaterThan(0);
    const cycles = findCycles(graph).map((c) =>
      c.map((f) => relative(join(packagesDir, pkg, "src"), f)).join(" -> "),
    );
    expect(cycles).toEqual([]);
  });
});
