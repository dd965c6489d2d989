import { readFileSync } from "node:fs";
import { type IService, serviceMakerHelpers, type UDPServer } from "@torsion/application";
import { createReactor, type IPv4Address } from "@torsion/core";
import { StringTransport } from "@torsion/core/testing";
import { askUDP, recordListens } from "@torsion/test-utils";
import { describe, expect, it } from "vitest";
import { Daytime } from "../src/daytime.ts";
import daytimePlugin from "../src/plugin/daytime.ts";
import timePlugin from "../src/plugin/time.ts";
import timestampPlugin from "../src/plugin/timestamp.ts";
import { Time } from "../src/time.ts";
import { Timestamp } from "../src/timestamp.ts";

const reactor = createReactor();

/** The helpers `twist` gives, recording what the plugin listens on. */
const helpers = () => recordListens(serviceMakerHelpers("test", reactor));

describe("plugins", () => {
  it("are declared in package.json with the modules that export them", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    const declared = pkg.torsion.plugins.map((p: { name: string; module: string }) => [
      p.name,
      pkg.exports[p.module]["@torsion/source"],
    ]);
    expect(declared).toEqual([
      ["timestamp", "./src/plugin/timestamp.ts"],
      ["daytime", "./src/plugin/daytime.ts"],
      ["time", "./src/plugin/time.ts"],
    ]);
    expect([timestampPlugin.name, daytimePlugin.name, timePlugin.name]).toEqual([
      "timestamp",
      "daytime",
      "time",
    ]);
    expect(pkg.bin["timestamp-client"]).toBe("./bin/timestamp-client.js"); // imports dist/bin/timestamp-client.js
  });

  it("listen on tcp:21567, tcp:8013 and tcp:8037 by default, with the right protocols", async () => {
    const t = helpers();
    await timestampPlugin.makeService(
      { listen: [...timestampPlugin.options.listen.default], "time-zone": undefined },
      t.helpers,
    );
    expect(t.listened[0]![0]).toBe("tcp:21567");
    expect(t.listened[0]![1].buildProtocol({ type: "TCP" })).toBeInstanceOf(Timestamp);
    for (const [plugin, endpoint, P] of [
      [daytimePlugin, "tcp:8013", Daytime],
      [timePlugin, "tcp:8037", Time],
    ] as const) {
      const h = helpers();
      await plugin.makeService(
        { listen: [...plugin.options.listen.default], "udp-rate": "20", udp: [] },
        h.helpers,
      );
      expect(h.listened.map(([d]) => d)).toEqual([endpoint]);
      expect(h.listened[0]![1].buildProtocol({ type: "TCP" })).toBeInstanceOf(P);
    }
  });

  it("timestamp stamps in --time-zone, and refuses an unknown zone", async () => {
    const h = helpers();
    await timestampPlugin.makeService({ listen: ["tcp:0"], "time-zone": "UTC" }, h.helpers);
    const t = new StringTransport();
    const proto = h.listened[0]![1].buildProtocol({ type: "TCP" })!;
    proto.makeConnection(t);
    proto.dataReceived(Buffer.from("x"));
    expect(t.value().toString()).toMatch(/^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] x$/);
    expect(() =>
      timestampPlugin.makeService({ listen: ["tcp:0"], "time-zone": "Nowhere/Atall" }, h.helpers),
    ).toThrow(RangeError);
  });

  it("time answers on --udp while running", async () => {
    const service: IService = await timePlugin.makeService(
      { listen: [], "udp-rate": "20", udp: ["127.0.0.1:0"] },
      helpers().helpers,
    );
    await service.startService();
    const n = ((service as UDPServer).port!.getHost() as IPv4Address).port;
    const seconds = (await askUDP(n, Buffer.alloc(0))).readUInt32BE(0) - 2_208_988_800;
    expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(60);
    await service.stopService();
  });
});
