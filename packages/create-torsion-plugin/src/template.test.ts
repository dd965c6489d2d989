import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { scaffold } from "./scaffold.ts";

const template = fileURLToPath(new URL("../../../examples/plugin-template", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "create-torsion-plugin-template-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every file under `dir`, relative, skipping what installing or building it adds. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split("\\").join("/"))
    .filter(
      (f) =>
        !/^(node_modules|dist|\.turbo)\//.test(f) &&
        !f.endsWith(".tgz") &&
        f !== "package-lock.json",
    )
    .sort();
}

/** `@torsion/*` ranges move with each release; the committed copy is not re-made for that. */
const sameButRanges = (text: string): string =>
  text.replace(/("@torsion\/[a-z-]+": )"[^"]+"/g, '$1"<range>"');

describe("examples/plugin-template", () => {
  it("is exactly this scaffolder's output (regenerate: pnpm --filter create-torsion-plugin run template)", () => {
    const made = scaffold({
      directory: join(root, "torsion-plugin-reverse"),
      pluginName: "reverse",
    });
    expect(filesUnder(template)).toEqual([...made.files].sort());
    for (const file of made.files) {
      const committed = readFileSync(join(template, file), "utf8");
      const fresh = readFileSync(join(made.directory, file), "utf8");
      if (file === "package.json")
        expect(sameButRanges(committed), file).toBe(sameButRanges(fresh));
      else expect(committed, file).toBe(fresh);
    }
  });
});
