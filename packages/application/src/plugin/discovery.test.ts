import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PluginError } from "../errors.ts";
import { discoverPlugins } from "./discovery.ts";
import { loadPlugin, resolvePackageExport } from "./load.ts";

let root: string;

const goodModule = `
const factory = { buildProtocol: () => null, doStart() {}, doStop() {} };
export default {
  name: "NAME",
  description: "A good plugin.",
  options: { listen: { type: "string", multiple: true, default: ["tcp:1"], description: "Endpoint" } },
  makeService(options, { listen }) { return listen(options.listen[0], factory); },
};
`;

/** Write a package (package.json + files) into `dir`. */
function pkg(dir: string, json: object, files: Record<string, string> = {}): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify(json));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

function declares(name: string, module = "./plugin", extra: object = {}): object {
  return {
    type: "module",
    torsion: { plugins: [{ name, description: `The ${name} plugin.`, module }] },
    ...extra,
  };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "torsion-discovery-"));
  // The project root: discovery from app/ or app/sub/ stops here.
  pkg(join(root, "app"), { name: "app", version: "1.0.0", private: true });
  // A node_modules above the project root (as in /tmp) must not be searched.
  pkg(
    join(root, "node_modules", "evil-plugin"),
    {
      name: "evil-plugin",
      version: "1.0.0",
      exports: { "./plugin": "./plugin.js" },
      ...declares("evil"),
    },
    { "plugin.js": goodModule.replace("NAME", "evil") },
  );
  const nm = join(root, "app", "node_modules");
  // A plain plugin package, with an exports map.
  pkg(
    join(nm, "good-plugin"),
    {
      name: "good-plugin",
      version: "1.0.0",
      exports: { "./plugin": "./plugin.js" },
      ...declares("good", "./plugin", { peerDependencies: { "@torsion/application": "^1.0.0" } }),
    },
    {
      "plugin.js": goodModule.replace("NAME", "good"),
    },
  );
  // A scoped package, found through a symlink as pnpm installs it, with conditional exports.
  const store = join(root, "store", "scoped-echo");
  pkg(
    store,
    {
      name: "@acme/echo",
      version: "2.0.0",
      exports: { "./plugin": { import: "./esm.js", default: "./cjs.js" } },
      ...declares("acme-echo"),
    },
    {
      "esm.js": goodModule.replace("NAME", "acme-echo"),
    },
  );
  mkdirSync(join(nm, "@acme"), { recursive: true });
  symlinkSync(store, join(nm, "@acme", "echo"), "dir");
  // Not a plugin at all.
  pkg(join(nm, "left-pad"), { name: "left-pad", version: "1.3.0" });
  // Malformed metadata.
  pkg(join(nm, "broken-meta"), {
    name: "broken-meta",
    version: "1.0.0",
    torsion: { plugins: { name: "x" } },
  });
  pkg(join(nm, "missing-fields"), {
    name: "missing-fields",
    version: "1.0.0",
    torsion: { plugins: [{ name: "nomodule" }] },
  });
  // The wrong shape.
  pkg(
    join(nm, "bad-shape"),
    {
      name: "bad-shape",
      version: "1.0.0",
      exports: { "./plugin": "./plugin.js" },
      ...declares("bad"),
    },
    {
      "plugin.js": `export default { name: "bad", description: "no makeService", options: {} };`,
    },
  );
  // Needs a runner it is not given.
  pkg(
    join(nm, "future-plugin"),
    {
      name: "future-plugin",
      version: "1.0.0",
      exports: { "./plugin": "./plugin.js" },
      ...declares("future", "./plugin", { peerDependencies: { "@torsion/application": "^2.0.0" } }),
    },
    {
      "plugin.js": `throw new Error("must not be imported");`,
    },
  );
  // Throws on import.
  pkg(
    join(nm, "throws"),
    {
      name: "throws",
      version: "1.0.0",
      exports: { "./plugin": "./plugin.js" },
      ...declares("throws"),
    },
    {
      "plugin.js": `throw new Error("kaboom");`,
    },
  );
  // A nearer installation of "good" in a nested directory shadows the outer one.
  pkg(
    join(root, "app", "sub", "node_modules", "good-fork"),
    {
      name: "good-fork",
      version: "9.0.0",
      exports: { "./plugin": "./plugin.js" },
      ...declares("good"),
    },
    {
      "plugin.js": goodModule.replace("NAME", "good"),
    },
  );
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("discoverPlugins", () => {
  it("finds plugins in node_modules from metadata only, scoped and symlinked included", () => {
    const { plugins } = discoverPlugins({ from: [join(root, "app")] });
    expect(plugins.map((p) => `${p.name}:${p.packageName}`).sort()).toEqual([
      "acme-echo:@acme/echo",
      "bad:bad-shape",
      "future:future-plugin",
      "good:good-plugin",
      "throws:throws",
    ]);
  });

  it("reports malformed metadata naming the package", () => {
    const { problems } = discoverPlugins({ from: [join(root, "app")] });
    expect(
      problems.every((p) => p instanceof PluginError && p.code === "ERR_TORSION_PLUGIN_METADATA"),
    ).toBe(true);
    expect(problems.map((p) => p.packageName).sort()).toEqual(["broken-meta", "missing-fields"]);
    expect(problems.find((p) => p.packageName === "missing-fields")!.message).toMatch(
      /missing description, module/,
    );
  });

  it("prefers the nearest installation of a name and reports the one it shadows", () => {
    const { plugins, shadowed } = discoverPlugins({ from: [join(root, "app", "sub")] });
    expect(plugins.find((p) => p.name === "good")!.packageName).toBe("good-fork");
    expect(shadowed.map((p) => `${p.name}:${p.packageName}`)).toEqual(["good:good-plugin"]);
  });

  it("stops at the project root: a node_modules above it cannot inject plugins", () => {
    const fromSub = discoverPlugins({ from: [join(root, "app", "sub")], installations: [] });
    expect(fromSub.plugins.some((p) => p.name === "evil")).toBe(false);
    expect(fromSub.plugins.some((p) => p.name === "acme-echo")).toBe(true);
    // Outside any project, only the directory's own node_modules.
    const outside = discoverPlugins({ from: [root], installations: [] });
    expect(outside.plugins.map((p) => p.name)).toEqual(["evil"]);
  });

  it("searches the node_modules an installation lies in", () => {
    const inside = join(root, "app", "node_modules", "good-plugin", "dist", "runner");
    const { plugins } = discoverPlugins({ from: [join(root, "store")], installations: [inside] });
    expect(plugins.some((p) => p.name === "good")).toBe(true);
  });
});

describe("loadPlugin", () => {
  const find = (name: string) =>
    discoverPlugins({ from: [join(root, "app")] }).plugins.find((p) => p.name === name)!;
  const load = (name: string, applicationVersion = "1.4.0") =>
    loadPlugin(find(name), { applicationVersion });

  it("imports a good plugin's service maker", async () => {
    const maker = await load("good");
    expect(maker.name).toBe("good");
    expect(typeof maker.makeService).toBe("function");
    expect((await load("acme-echo")).name).toBe("acme-echo");
  });

  it("refuses a module of the wrong shape with the contract in the message", async () => {
    await expect(load("bad")).rejects.toMatchObject({
      code: "ERR_TORSION_PLUGIN_SHAPE",
      packageName: "bad-shape",
      message: expect.stringContaining(
        'Plugin "bad" from bad-shape must export default { name, description, options, makeService } (makeService is not a function)',
      ),
    });
  });

  it("refuses an incompatible @torsion/application range before importing anything", async () => {
    await expect(load("future")).rejects.toMatchObject({
      code: "ERR_TORSION_PLUGIN_INCOMPATIBLE",
      message: expect.stringContaining(
        "requires @torsion/application ^2.0.0, but this twist is 1.4.0",
      ),
    });
    await expect(load("good", "2.0.0")).rejects.toMatchObject({
      code: "ERR_TORSION_PLUGIN_INCOMPATIBLE",
    });
  });

  it("reports an import that throws", async () => {
    await expect(load("throws")).rejects.toMatchObject({
      code: "ERR_TORSION_PLUGIN_IMPORT",
      message: expect.stringContaining("kaboom"),
    });
  });
});

describe("resolvePackageExport", () => {
  const conditions = new Set(["node", "import"]);
  it("follows conditions in the package's order, patterns, and sugar", () => {
    expect(resolvePackageExport("/p", { ".": "./i.js" }, ".", conditions)).toBe("/p/i.js");
    expect(resolvePackageExport("/p", "./i.js", ".", conditions)).toBe("/p/i.js");
    expect(
      resolvePackageExport(
        "/p",
        { "./plugin": { types: "./t.d.ts", "@x/source": "./s.ts", default: "./d.js" } },
        "./plugin",
        conditions,
      ),
    ).toBe("/p/d.js");
    expect(
      resolvePackageExport(
        "/p",
        { "./plugin": { "@x/source": "./s.ts", default: "./d.js" } },
        "./plugin",
        new Set(["@x/source"]),
      ),
    ).toBe("/p/s.ts");
    expect(
      resolvePackageExport("/p", { "./plugins/*": "./dist/*.js" }, "./plugins/echo", conditions),
    ).toBe("/p/dist/echo.js");
    expect(resolvePackageExport("/p", { ".": "./i.js" }, "./nope", conditions)).toBe(undefined);
    expect(resolvePackageExport("/p", undefined, "./plugin.js", conditions)).toBe("/p/plugin.js");
  });
});
