import { readFileSync } from "node:fs";
import type { IService, ServiceMakerHelpers } from "@torsion/application";
import { type IProtocolFactory, Logger } from "@torsion/core";
import { MemoryReactor } from "@torsion/core/testing";
import { describe, expect, it } from "vitest";
import reverse from "./plugin.ts";
import { Reverse } from "./reverse.ts";

/** Helpers as `twist` gives them, recording what the plugin asks to listen on. */
function helpers(): ServiceMakerHelpers & { listened: [string, IProtocolFactory][] } {
  const listened: [string, IProtocolFactory][] = [];
  const fake = (label: string): IService => ({ name: label }) as IService;
  return {
    listened,
    reactor: new MemoryReactor() as never,
    logger: new Logger("reverse"),
    listen(description, factory) {
      listened.push([description, factory]);
      return fake(description);
    },
    combine: (services) => (services.length === 1 ? services[0]! : fake("group")),
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
    expect(h.listened.map(([d]) => d)).toEqual(["tcp:1", "tcp:2"]);
    expect(h.listened[0]![1].buildProtocol({ type: "TCP" } as never)).toBeInstanceOf(Reverse);
  });

  it("has the shape twist checks", () => {
    expect(typeof reverse.makeService).toBe("function");
    expect(reverse.options.listen.default).toEqual(["tcp:8023"]);
  });
});
