import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { PINNED_PACKAGES, versionRanges } from "./versions.ts";

const workspaceVersion = (name: string): string =>
  JSON.parse(readFileSync(new URL(`../../${name}/package.json`, import.meta.url), "utf8")).version;

describe("versionRanges", () => {
  it("resolves workspace:^ to ^ the version of the workspace package, as pnpm pack does", () => {
    const ranges = versionRanges();
    expect(ranges["@torsion/core"]).toBe(`^${workspaceVersion("core")}`);
    expect(ranges["@torsion/basic"]).toBe(`^${workspaceVersion("basic")}`);
    expect(ranges["@torsion/application"]).toBe(`^${workspaceVersion("application")}`);
    expect(Object.keys(ranges).sort()).toEqual([...PINNED_PACKAGES].sort());
  });

  it("keeps published ranges as they are (what a packed scaffolder holds)", () => {
    const dir = mkdtempSync(join(tmpdir(), "ctp-versions-"));
    try {
      const devDependencies = Object.fromEntries(PINNED_PACKAGES.map((n) => [n, "^0.1.0"]));
      writeFileSync(join(dir, "package.json"), JSON.stringify({ devDependencies }));
      expect(versionRanges(pathToFileURL(join(dir, "package.json")))).toEqual(devDependencies);
      writeFileSync(join(dir, "package.json"), JSON.stringify({ devDependencies: {} }));
      expect(() => versionRanges(pathToFileURL(join(dir, "package.json")))).toThrow(
        /lists no version of @torsion\/application/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
