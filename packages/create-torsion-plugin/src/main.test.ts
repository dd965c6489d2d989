import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXIT_USAGE, main, USAGE } from "./main.ts";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "create-torsion-plugin-cli-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function run(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = "";
  let stderr = "";
  const code = main(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    cwd: root,
  });
  return { code, stdout, stderr };
}

describe("create-torsion-plugin", () => {
  it("scaffolds into the directory and says what to do next", () => {
    const r = run(join(root, "my-plugin"), "--name", "shout", "--protocol", "raw");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Created my-plugin (plugin "shout") in my-plugin:');
    expect(r.stdout).toContain("  src/shout.ts\n");
    expect(r.stdout).toContain("cd my-plugin\n  npm install\n  npm test");
    expect(existsSync(join(root, "my-plugin", "src", "shout.test.ts"))).toBe(true);
  });

  it("prints its usage for --help", () => {
    expect(run("--help")).toEqual({ code: 0, stdout: USAGE, stderr: "" });
  });

  it("is a usage error without exactly one directory, with an unknown option or protocol", () => {
    for (const argv of [
      [],
      ["a", "b"],
      ["a", "--nope"],
      ["a", "--protocol", "udp"],
      ["a", "--name"],
    ]) {
      const r = run(...argv.map((a) => (a.startsWith("-") || a === "udp" ? a : join(root, a))));
      expect(r.code, argv.join(" ")).toBe(EXIT_USAGE);
      expect(r.stderr, argv.join(" ")).toMatch(/^create-torsion-plugin: /);
      expect(r.stdout).toBe("");
    }
    expect(existsSync(join(root, "a"))).toBe(false);
  });

  it("is a usage error for a bad name, naming the rule", () => {
    const r = run(join(root, "ok"), "--name", "Bad");
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toMatch(/Plugin name "Bad" must be a lower-case letter/);
    expect(existsSync(join(root, "ok"))).toBe(false);
  });

  it("exits 1 for a non-empty directory and leaves it alone", () => {
    mkdirSync(join(root, "full"));
    writeFileSync(join(root, "full", "keep.txt"), "");
    const r = run(join(root, "full"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/full is not empty/);
    expect(existsSync(join(root, "full", "package.json"))).toBe(false);
  });
});
