import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidNameError } from "./names.ts";
import { DirectoryNotEmptyError, scaffold } from "./scaffold.ts";
import { versionRanges } from "./versions.ts";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "create-torsion-plugin-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const read = (dir: string, file: string): string => readFileSync(join(dir, file), "utf8");
const readJson = (dir: string, file: string) => JSON.parse(read(dir, file));

describe("scaffold", () => {
  it("writes a line plugin named after its directory, with published ranges only", () => {
    const result = scaffold({ directory: join(root, "torsion-plugin-reverse") });
    expect(result).toMatchObject({ packageName: "torsion-plugin-reverse", pluginName: "reverse" });
    expect(result.files).toEqual([
      ".gitignore",
      "README.md",
      "package.json",
      "tsconfig.json",
      "src/index.ts",
      "src/reverse.ts",
      "src/reverse.test.ts",
      "src/plugin.ts",
      "src/plugin.test.ts",
    ]);
    const dir = result.directory;
    const pkg = readJson(dir, "package.json");
    const ranges = versionRanges();
    expect(pkg.name).toBe("torsion-plugin-reverse");
    expect(pkg.torsion.plugins).toEqual([
      {
        name: "reverse",
        description: "A server that writes back each line reversed.",
        module: "./plugin",
      },
    ]);
    expect(pkg.dependencies).toEqual({
      "@torsion/basic": ranges["@torsion/basic"],
      "@torsion/core": ranges["@torsion/core"],
    });
    expect(pkg.peerDependencies).toEqual({
      "@torsion/application": ranges["@torsion/application"],
    });
    expect(pkg.devDependencies.vitest).toBe(ranges.vitest);
    expect(pkg.exports["./plugin"]).toEqual({
      types: "./dist/plugin.d.ts",
      default: "./dist/plugin.js",
    });
    for (const file of result.files) {
      const text = read(dir, file);
      expect(text, file).not.toContain("@torsion/source");
      expect(text, file).not.toContain("workspace:");
      expect(text, file).not.toContain("../../");
    }
    expect(readJson(dir, "tsconfig.json").extends).toBeUndefined();
    expect(read(dir, "src/reverse.ts")).toContain("export class Reverse extends LineReceiver");
    expect(read(dir, "src/plugin.ts")).toContain('name: "reverse"');
    expect(read(dir, "README.md")).toContain("npx twist reverse --listen");
  });

  it("builds before testing, so npm test passes before npm run build", () => {
    const { directory } = scaffold({ directory: join(root, "p") });
    const { scripts } = readJson(directory, "package.json");
    expect(scripts.pretest).toBe(scripts.build);
    expect(scripts.prepack).toBe(scripts.build);
  });

  it("writes a raw Protocol with --protocol raw, without @torsion/basic", () => {
    const { directory, files } = scaffold({
      directory: join(root, "x"),
      pluginName: "rot-13",
      protocol: "raw",
    });
    expect(files).toContain("src/rot-13.ts");
    expect(read(directory, "src/rot-13.ts")).toContain("export class Rot13 extends Protocol");
    expect(read(directory, "src/plugin.ts")).toContain("const rot13: ServiceMaker");
    expect(Object.keys(readJson(directory, "package.json").dependencies)).toEqual([
      "@torsion/core",
    ]);
  });

  it("takes the package name from --package and the plugin name from it, scope and prefix dropped", () => {
    const result = scaffold({
      directory: join(root, "anything"),
      packageName: "@me/torsion-plugin-hello-world",
    });
    expect(result.pluginName).toBe("hello-world");
    expect(readJson(result.directory, "package.json").name).toBe("@me/torsion-plugin-hello-world");
    expect(read(result.directory, "src/hello-world.ts")).toContain("class HelloWorld ");
    expect(read(result.directory, "src/plugin.test.ts")).toContain(
      'join(dir, "node_modules", "@me/torsion-plugin-hello-world")',
    );
  });

  it("uses the ranges it is given", () => {
    const ranges = { ...versionRanges(), "@torsion/core": "^9.8.7" };
    const { directory } = scaffold({ directory: join(root, "r"), ranges });
    expect(readJson(directory, "package.json").dependencies["@torsion/core"]).toBe("^9.8.7");
  });

  it("writes into an existing empty directory", () => {
    mkdirSync(join(root, "empty"));
    expect(scaffold({ directory: join(root, "empty") }).files).toContain("package.json");
  });

  it("refuses a non-empty directory, and a file, and writes nothing", () => {
    mkdirSync(join(root, "full"));
    writeFileSync(join(root, "full", "notes.txt"), "mine");
    expect(() => scaffold({ directory: join(root, "full") })).toThrow(DirectoryNotEmptyError);
    expect(() => scaffold({ directory: join(root, "full") })).toThrow(/is not empty \(1 entry\)/);
    expect(read(join(root, "full"), "notes.txt")).toBe("mine");
    writeFileSync(join(root, "file"), "");
    expect(() => scaffold({ directory: join(root, "file") })).toThrow(/is not a directory/);
  });

  it("refuses bad names before writing anything", () => {
    expect(() => scaffold({ directory: join(root, "Bad Name") })).toThrow(InvalidNameError);
    expect(() => scaffold({ directory: join(root, "ok"), pluginName: "Nope" })).toThrow(
      /Plugin name "Nope" must be/,
    );
    expect(() => scaffold({ directory: join(root, "ok2"), pluginName: "a--b" })).toThrow(
      InvalidNameError,
    );
    expect(() => scaffold({ directory: join(root, "_private") })).toThrow(
      /Package name "_private"/,
    );
    expect(() => scaffold({ directory: join(root, "ok3"), protocol: "udp" as never })).toThrow(
      /protocol must be "line" or "raw"/,
    );
    expect(() => read(root, "ok/package.json")).toThrow(/ENOENT/);
  });
});
