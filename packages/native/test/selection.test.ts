/**
 * Which transport listening ports use: `auto` (native when the addon loads) by default, the
 * reactor's choice or `TORSION_TRANSPORT` otherwise, and portable in a cluster worker.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createReactor } from "../../core/src/index.ts";
import { transportOf } from "../../core/src/reactor/transport-choice.ts";
import { available } from "../src/index.ts";

const coreDist = new URL("../../core/dist/index.js", import.meta.url).href;
const coreEndpointsDist = new URL("../../core/dist/endpoints.js", import.meta.url).href;
const twistCli = new URL("../../application/dist/cli.js", import.meta.url).pathname;
/** The repository's root: its package.json installs the echo plugin. */
const repository = new URL("../../..", import.meta.url).pathname;

/** The environment without TORSION_TRANSPORT (the suite sets it). */
function unsetEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.TORSION_TRANSPORT;
  return env;
}

describe.runIf(available)("transport selection", () => {
  const saved = process.env.TORSION_TRANSPORT;
  afterEach(() => {
    process.env.TORSION_TRANSPORT = saved;
  });

  it("uses native when asked, and for TORSION_TRANSPORT=native", () => {
    expect(transportOf(createReactor({ transport: "native" }))).toBe("native");
    expect(transportOf(createReactor({ transport: "auto" }))).toBe("native");
    expect(transportOf(createReactor({ transport: "portable" }))).toBe("portable");
    expect(process.env.TORSION_TRANSPORT).toBe("native");
    expect(transportOf(createReactor())).toBe("native");
    process.env.TORSION_TRANSPORT = "portable";
    expect(transportOf(createReactor())).toBe("portable");
    expect(transportOf(createReactor({ transport: "native" }))).toBe("native");
  });

  it("defaults to auto: native when nothing is chosen, and for an unknown TORSION_TRANSPORT", () => {
    delete process.env.TORSION_TRANSPORT;
    expect(transportOf(createReactor())).toBe("native");
    process.env.TORSION_TRANSPORT = "";
    expect(transportOf(createReactor())).toBe("native");
    process.env.TORSION_TRANSPORT = "fast";
    expect(transportOf(createReactor())).toBe("native");
  });

  it("refuses an unknown transport", () => {
    expect(() => createReactor({ transport: "fast" as "native" })).toThrow(RangeError);
  });

  it("a program with nothing set listens native (core finds the package by itself)", () => {
    // A plain Node program, not vitest: core requires @torsion/native from its own location.
    const script = `
      const core = await import(${JSON.stringify(coreDist)});
      const { transportOf } = await import(${JSON.stringify(coreEndpointsDist)});
      const r = core.createReactor();
      const port = await r.listenTCP(0, core.Factory.forProtocol(core.Protocol), { interface: "127.0.0.1" });
      console.log(transportOf(r), port.constructor.name);
      await port.stopListening();`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      env: unsetEnvironment(),
      encoding: "utf8",
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split(" ")[0]).toBe("native");
  });

  it("in a cluster worker, listening ports stay portable (the cluster shares node:net handles), said once", () => {
    const script = `
      import cluster from "node:cluster";
      if (cluster.isPrimary) {
        const w = cluster.fork();
        w.on("exit", (code) => process.exit(code ?? 1));
      } else {
        const core = await import(${JSON.stringify(coreDist)});
        const { transportOf } = await import(${JSON.stringify(coreEndpointsDist)});
        core.globalLogBeginner.beginLoggingTo([core.textFileLogObserver(process.stderr)], { redirectStandardIO: false });
        const r = core.createReactor({ transport: "native" });
        console.log(transportOf(r), transportOf(core.createReactor()));
        const port = await r.listenTCP(0, core.Factory.forProtocol(core.Protocol), { interface: "127.0.0.1" });
        await port.stopListening();
        process.exit(0);
      }`;
    // A file, not -e: cluster.fork runs the primary's script again.
    const dir = mkdtempSync(join(tmpdir(), "torsion-cluster-"));
    const file = join(dir, "cluster.mjs");
    writeFileSync(file, script);
    const result = spawnSync(process.execPath, [file], {
      env: unsetEnvironment(),
      encoding: "utf8",
    });
    rmSync(dir, { recursive: true, force: true });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe("portable portable");
    expect(result.stderr.match(/Native transport not used in a cluster worker/g)).toHaveLength(1);
  });

  it("twist without --transport starts on the native transport and says so", async () => {
    const child = spawn(
      process.execPath,
      [twistCli, "echo", "--listen", "tcp:0:interface=127.0.0.1"],
      {
        cwd: repository,
        env: unsetEnvironment(),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    const started = new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
        const line = out.split("\n").find((l) => l.includes(" starting "));
        if (line !== undefined) resolve(line);
      });
      child.on("exit", (code) => reject(new Error(`twist exited ${code}: ${out}`)));
    });
    try {
      expect(await started).toMatch(/ starting echo with pid \d+, native transport/);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
