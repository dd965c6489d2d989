import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  applicationVersion,
  discoverPlugins,
  loadPlugin,
  type ServiceMakerHelpers,
  serviceMakerHelpers,
} from "@torsion/application";
import { createReactor, type IProtocolFactory } from "@torsion/core";
import { describe, expect, it } from "vitest";
import reverse from "./plugin.ts";
import { Reverse } from "./reverse.ts";

/** The helpers `twist` gives, recording what the plugin asks to listen on. */
function helpers(): ServiceMakerHelpers & { listened: [string, IProtocolFactory][] } {
  const real = serviceMakerHelpers("reverse", createReactor());
  const listened: [string, IProtocolFactory][] = [];
  return {
    ...real,
    listened,
    listen(description, factory) {
      listened.push([description, factory]);
      return real.listen(description, factory);
    },
  };
}

describe("the reverse plugin", () => {
  it("is declared in package.json under the name it exports", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(pkg.torsion.plugins).toEqual([
      { name: reverse.name, description: reverse.description, module: "./plugin" },
    ]);
    expect(pkg.exports["./plugin"]).toBeDefined();
    expect(pkg.peerDependencies["@torsion/application"]).toBeDefined();
  });

  it("listens on each --listen endpoint with a Reverse factory", async () => {
    const h = helpers();
    await reverse.makeService({ listen: ["tcp:1", "tcp:2"] }, h);
    expect(h.listened.map(([endpoint]) => endpoint)).toEqual(["tcp:1", "tcp:2"]);
    expect(h.listened[0]![1].buildProtocol({ type: "TCP" } as never)).toBeInstanceOf(Reverse);
  });

  it("listens on tcp:8023 by default", () => {
    expect(reverse.options.listen.default).toEqual(["tcp:8023"]);
  });

  it("is found by twist's discovery once installed, and loads from dist/", async () => {
    // Install this package into a temporary node_modules, as a linked install would.
    const dir = mkdtempSync(join(tmpdir(), "reverse-discovery-"));
    try {
      const link = join(dir, "node_modules", "torsion-plugin-reverse");
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(fileURLToPath(new URL("..", import.meta.url)), link, "dir");
      const { plugins, problems } = discoverPlugins({ from: [dir] });
      expect(problems).toEqual([]);
      const info = plugins.find((p) => p.name === "reverse");
      expect(info?.packageName).toBe("torsion-plugin-reverse");
      const maker = await loadPlugin(info!, { applicationVersion });
      expect(maker.name).toBe("reverse");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
