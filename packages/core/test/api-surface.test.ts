// The root of @torsion/core is a deliberate list: this test reads the exports of
// src/index.ts with the TypeScript compiler (values and types alike), and fails when the list
// differs from api-surface.txt, passes 100 names, or holds a name without TSDoc. Adding an
// export therefore means editing api-surface.txt in the same change, on purpose.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as root from "../src/index.ts";

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const MAX_ROOT_EXPORTS = 100;

interface Export {
  readonly name: string;
  readonly kind: "value" | "type";
  readonly documented: boolean;
}

function exportsOf(entry: string): Export[] {
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    allowImportingTsExtensions: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (!source) throw new Error(`cannot read ${entry}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${entry} is not a module`);
  return checker.getExportsOfModule(moduleSymbol).map((symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const documented = (target.declarations ?? []).some(
      (d) => ts.getJSDocCommentsAndTags(d).length > 0,
    );
    const kind = target.flags & ts.SymbolFlags.Value ? "value" : "type";
    return { name: symbol.name, kind, documented };
  });
}

function committedList(): string[] {
  return readFileSync(here("./api-surface.txt"), "utf8")
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter((line) => line !== "");
}

const exported = exportsOf(here("../src/index.ts"));
const line = (e: Export): string => `${e.kind} ${e.name}`;

describe("@torsion/core root export surface", () => {
  it("matches the committed list in api-surface.txt (a new export is a deliberate change)", () => {
    expect(exported.map(line).sort()).toEqual(committedList().sort());
  });

  it(`exports at most ${MAX_ROOT_EXPORTS} names, types included`, () => {
    expect(exported.length).toBeGreaterThan(0);
    expect(exported.length).toBeLessThanOrEqual(MAX_ROOT_EXPORTS);
  });

  it("documents every exported name with TSDoc", () => {
    expect(exported.filter((e) => !e.documented).map((e) => e.name)).toEqual([]);
  });

  it("the runtime values are exactly the value names of the list", () => {
    const values = exported.filter((e) => e.kind === "value").map((e) => e.name);
    expect(Object.keys(root).sort()).toEqual(values.sort());
  });

  it("keeps implementation classes out of the root", () => {
    const names = new Set(exported.map((e) => e.name));
    for (const impl of ["TCPTransport", "StreamPort", "StreamConnector", "UDPPort", "ReactorBase"])
      expect(names.has(impl), impl).toBe(false);
  });
});

describe("@torsion/core subpaths", () => {
  const manifest = JSON.parse(readFileSync(here("../package.json"), "utf8")) as {
    exports: Record<string, string | Record<string, string>>;
  };
  const subpaths = Object.entries(manifest.exports).filter(
    (entry): entry is [string, Record<string, string>] =>
      entry[0] !== "." && typeof entry[1] === "object",
  );

  it("are testing, logger, endpoints, errors, policies and haproxy, each with source, types and default", () => {
    expect(subpaths.map(([name]) => name).sort()).toEqual(
      ["./endpoints", "./errors", "./haproxy", "./logger", "./policies", "./testing"].sort(),
    );
    for (const [name, target] of subpaths) {
      const base = name.slice(2);
      expect(target).toEqual({
        "@torsion/source": `./src/${base}.ts`,
        types: `./dist/${base}.d.ts`,
        default: `./dist/${base}.js`,
      });
    }
  });

  it.each(subpaths.map(([name]) => name.slice(2)))(
    "%s: the entry file says what it is for, and every export has TSDoc",
    (base) => {
      const entry = here(`../src/${base}.ts`);
      expect(readFileSync(entry, "utf8")).toMatch(
        new RegExp(`^/\\*\\*\\n \\* \`@torsion/core/${base}\``),
      );
      const names = exportsOf(entry);
      expect(names.length).toBeGreaterThan(0);
      expect(names.filter((e) => !e.documented).map((e) => e.name)).toEqual([]);
    },
  );
});
