import * as dgram from "node:dgram";
import { readFileSync } from "node:fs";
import { MultiService } from "@torsion/application";
import { createReactor, type IProtocolFactory, Logger } from "@torsion/core";
import { StringTransport } from "@torsion/core/testing";
import { describe, expect, it } from "vitest";
import { Daytime } from "../src/daytime.ts";
import type { IService, ServiceMakerHelpers } from "../src/plugin/contract.ts";
import daytimePlugin from "../src/plugin/daytime.ts";
import timePlugin from "../src/plugin/time.ts";
import timestampPlugin from "../src/plugin/timestamp.ts";
import { Time } from "../src/time.ts";
import { Timestamp } from "../src/timestamp.ts";

const reactor = createReactor();

function helpers(): { helpers: ServiceMakerHelpers; listened: Array<[string, IProtocolFactory]> } {
  const listened: Array<[string, IProtocolFactory]> = [];
  return {
    listened,
    helpers: {
      reactor,
      logger: new Logger("test"),
      listen(description, factory) {
        listened.push([description, factory]);
        return new MultiService();
      },
      combine(services) {
        if (services.length === 1) return services[0]!;
        const all = new MultiService();
        for (const s of services) s.setServiceParent(all);
        return all;
      },
    },
  };
}

async function freeUDPPort(): Promise<number> {
  const probe = dgram.createSocket("udp4");
  await new Promise<void>((r) => probe.bind(0, "127.0.0.1", r));
  const n = probe.address().port;
  await new Promise<void>((r) => probe.close(() => r()));
  return n;
}

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
    expect(pkg.bin["timestamp-client"]).toBe("./dist/bin/timestamp-client.js");
  });

  it("listen on tcp:21567, tcp:8013 and tcp:8037 by default, with the right protocols", async () => {
    const t = helpers();
    await timestampPlugin.makeService(
      { listen: timestampPlugin.options.listen.default, "time-zone": undefined },
      t.helpers,
    );
    expect(t.listened[0]![0]).toBe("tcp:21567");
    expect(t.listened[0]![1].buildProtocol({ type: "TCP" })).toBeInstanceOf(Timestamp);
    for (const [plugin, endpoint, P] of [
      [daytimePlugin, "tcp:8013", Daytime],
      [timePlugin, "tcp:8037", Time],
    ] as const) {
      const h = helpers();
      await plugin.makeService({ listen: plugin.options.listen.default, udp: [] }, h.helpers);
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
    const n = await freeUDPPort();
    const service: IService = await timePlugin.makeService(
      { listen: [], udp: [`127.0.0.1:${n}`] },
      helpers().helpers,
    );
    await service.startService();
    const socket = dgram.createSocket("udp4");
    const reply = new Promise<Buffer>((r) => socket.once("message", r));
    socket.send(Buffer.alloc(0), n, "127.0.0.1");
    const seconds = (await reply).readUInt32BE(0) - 2_208_988_800;
    expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(60);
    socket.close();
    await service.stopService();
  });
});
