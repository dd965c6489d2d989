/** With TORSION_NATIVE_DISABLE the package loads, says why it is unavailable, and core falls back. */
import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";

it("TORSION_NATIVE_DISABLE: unavailable with a reason, and a native reactor listens portable", () => {
  const core = new URL("../../core/dist/index.js", import.meta.url).href;
  const native = new URL("../dist/index.js", import.meta.url).href;
  const script = `
    const n = await import(${JSON.stringify(native)});
    const core = await import(${JSON.stringify(core)});
    const { createReactor, Factory, Protocol } = core;
    core.globalLogBeginner.beginLoggingTo([core.textFileLogObserver(process.stderr)], { redirectStandardIO: false });
    const r = createReactor({ transport: "native" });
    const port = await r.listenTCP(0, Factory.forProtocol(Protocol), { interface: "127.0.0.1" });
    console.log(JSON.stringify({ available: n.available, reason: n.unavailableReason }));
    await port.stopListening();`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, TORSION_NATIVE_DISABLE: "1" },
    encoding: "utf8",
  });
  expect(result.status).toBe(0);
  const line = result.stdout.trim().split("\n").at(-1)!;
  expect(JSON.parse(line)).toEqual({ available: false, reason: "TORSION_NATIVE_DISABLE is set" });
  const notes = result.stderr.match(/Native transport unavailable: TORSION_NATIVE_DISABLE is set/g);
  expect(notes).toHaveLength(1); // logged once
  expect(result.stderr).toMatch(/starting on \d+/); // and the port listened, on node:net
});
