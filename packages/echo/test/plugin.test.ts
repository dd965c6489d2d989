import { readFileSync } from "node:fs";
import { serviceMakerHelpers, type UDPServer } from "@torsion/application";
import { createReactor, type IPv4Address } from "@torsion/core";
import { askUDP, recordListens } from "@torsion/test-utils";
import { describe, expect, it } from "vitest";
import { Discard } from "../src/discard.ts";
import { Echo } from "../src/echo.ts";
import discardPlugin from "../src/plugin/discard.ts";
import echoPlugin from "../src/plugin/echo.ts";

const reactor = createReactor();

/** The helpers `twist` gives, recording what the plugin listens on. */
const helpers = () => recordListens(serviceMakerHelpers("test", reactor));

describe("plugins", () => {
  it("are declared in package.json with the modules that export them", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(
      pkg.torsion.plugins.map((p: { name: string; module: string }) => [p.name, p.module]),
    ).toEqual([
      ["echo", "./plugin"],
      ["discard", "./plugin/discard"],
    ]);
    expect(pkg.exports["./plugin"]["@torsion/source"]).toBe("./src/plugin/echo.ts");
    expect(pkg.exports["./plugin/discard"]["@torsion/source"]).toBe("./src/plugin/discard.ts");
    expect(echoPlugin.name).toBe("echo");
    expect(discardPlugin.name).toBe("discard");
  });

  it("echo listens on tcp:8007 and discard on tcp:8009 by default", async () => {
    for (const [plugin, endpoint, P] of [
      [echoPlugin, "tcp:8007", Echo],
      [discardPlugin, "tcp:8009", Discard],
    ] as const) {
      const h = helpers();
      expect(plugin.options.listen.default).toEqual([endpoint]);
      await plugin.makeService(
        { listen: [...plugin.options.listen.default], "udp-rate": "20", udp: [] },
        h.helpers,
      );
      expect(h.listened.map(([d]) => d)).toEqual([endpoint]);
      expect(h.listened[0]![1].buildProtocol({ type: "TCP" })).toBeInstanceOf(P);
    }
  });

  it("echo serves every --listen endpoint and --udp address, started and stopped together", async () => {
    const h = helpers();
    const service = await echoPlugin.makeService(
      {
        listen: ["tcp:0:interface=127.0.0.1", "tcp:0:interface=127.0.0.1"],
        "udp-rate": "20",
        udp: ["127.0.0.1:0"],
      },
      h.helpers,
    );
    expect(h.listened.length).toBe(2);
    await service.startService();
    expect(service.running).toBe(true);
    await service.stopService();
    expect(service.running).toBe(false);
  });

  it("a UDP address answers datagrams while the service runs", async () => {
    const service = await echoPlugin.makeService(
      { listen: [], "udp-rate": "20", udp: ["127.0.0.1:0"] },
      helpers().helpers,
    );
    await service.startService();
    const n = ((service as UDPServer).port!.getHost() as IPv4Address).port;
    expect(String(await askUDP(n, "ping"))).toBe("ping");
    await service.stopService();
  });

  it("refuses a malformed UDP address before anything starts", () => {
    expect(() =>
      echoPlugin.makeService({ listen: [], "udp-rate": "20", udp: ["tcp:7"] }, helpers().helpers),
    ).toThrow(/Invalid UDP address "tcp:7"/);
  });
});
