/**
 * The scale-out recipe with the real balancers: HAProxy 2.6 (`send-proxy-v2`, health checks on
 * `/healthz`) and nginx `stream` (`proxy_protocol on`) in front of three `twist` instances.
 * Needs `pnpm build` (the instances run the built `twist` and echo service). Skips, saying why,
 * where a balancer is not installed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import net from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { runLoad } from "./load.ts";
import {
  available,
  type Balancer,
  type Instance,
  ScaleOut,
  sample,
  scrape,
  waitFor,
} from "./scale-out.ts";

const balancers: Balancer[] = ["haproxy", "nginx"];

/**
 * The instances run the built `twist` and echo service: on a fresh clone (no `pnpm build`),
 * or after an edit, build what they need first (turbo builds the dependencies too).
 */
function ensureBuilt(): void {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = join(here, "..", "dist", "scale-out", "echo-service.js");
  const newest = Math.max(
    ...readdirSync(here)
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
      .map((f) => statSync(join(here, f)).mtimeMs),
  );
  const cli = join(here, "..", "node_modules", "@torsion", "application", "dist", "cli.js");
  if (existsSync(built) && existsSync(cli) && statSync(built).mtimeMs >= newest) return;
  const r = spawnSync(
    "pnpm",
    ["exec", "turbo", "run", "build", "--filter=@torsion/examples...", "--output-logs=errors-only"],
    {
      cwd: join(here, "..", ".."),
      stdio: "inherit",
    },
  );
  if (r.status !== 0) throw new Error("building the scale-out example failed");
}
// The load tests (20 s of 50 lanes, kills, restarts) would load a shared 2-core machine during
// every `pnpm test`; .ci/steps/40-scale-out.sh runs them with this set.
const load = process.env.TORSION_SCALE_OUT_LOAD === "1";
const loadNote = load
  ? ""
  : " (skipped: set TORSION_SCALE_OUT_LOAD=1, as .ci/steps/40-scale-out.sh does)";

/** The instance whose log shows a connection from `host:port` (the client's own address). */
async function instanceServing(set: ScaleOut, host: string, port: number): Promise<Instance> {
  let found: Instance | undefined;
  await waitFor(`a log line for ${host}:${port}`, () => {
    found = set.instances.find((i) =>
      i.logRecords().some((r) => r.peerHost === host && r.peerPort === port),
    );
    return found !== undefined;
  });
  return found as Instance;
}

async function totals(set: ScaleOut): Promise<Record<string, number>> {
  const names = [
    "torsion_connections_total",
    "torsion_connections_open",
    "torsion_bytes_received_total",
    "torsion_bytes_sent_total",
  ];
  const sum: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (const i of set.instances) {
    const text = await scrape(i.metricsPort);
    for (const n of names) sum[n] = (sum[n] as number) + sample(text, n);
  }
  return sum;
}

/** A client connection with its received bytes and how it ended. */
function openClient(
  port: number,
  localAddress: string,
): Promise<{ socket: net.Socket; received: () => Buffer; ended: Promise<"FIN" | string> }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ port, host: "127.0.0.1", localAddress });
    const ended = new Promise<"FIN" | string>((res) => {
      socket.on("end", () => res("FIN"));
      socket.on("error", (e: NodeJS.ErrnoException) => res(e.code ?? e.message));
    });
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.once("connect", () => resolve({ socket, received: () => Buffer.concat(chunks), ended }));
    socket.once("error", reject);
  });
}

for (const balancer of balancers) {
  const present = available(balancer);
  describe.skipIf(!present)(
    `${balancer} in front of three twist instances${present ? "" : ` (skipped: ${balancer} is not installed)`}`,
    () => {
      let set: ScaleOut;
      let keep = false;
      beforeAll(async () => {
        ensureBuilt();
        set = await ScaleOut.up({ balancer });
      }, 300_000);
      afterAll(async () => {
        // A failed test leaves the directory (configs, logs) for a look; its path is printed.
        if (keep) console.log(`[scale-out] ${balancer} files kept in ${set?.dir}`);
        await set?.down(keep);
      }, 60_000);
      const keepOnFailure = () =>
        onTestFailed(() => {
          keep = true;
        });

      it("gives the protocol the client's own address (127.0.0.2), seen by getPeer() and logged", async () => {
        const local = await new Promise<{ port: number; echoed: string }>((resolve, reject) => {
          const s = net.connect({
            port: set.frontPort,
            host: "127.0.0.1",
            localAddress: "127.0.0.2",
          });
          s.on("connect", () => s.write("who am I?"));
          s.on("data", (d) => {
            resolve({ port: s.localPort as number, echoed: d.toString() });
            s.end();
          });
          s.on("error", reject);
        });
        expect(local.echoed).toBe("who am I?");
        const instance = await instanceServing(set, "127.0.0.2", local.port);
        const line = instance.logRecords().find((r) => r.peerPort === local.port);
        expect(line?.msg).toBe(`Connection from 127.0.0.2:${local.port}`);
        // The runner's own per-connection line names the client too.
        expect(
          instance
            .logRecords()
            .some((r) => r.msg === "Connection made" && r.peer === `127.0.0.2:${local.port}`),
        ).toBe(true);
      }, 30_000);

      it("/metrics counts match what the load generator did", async () => {
        const before = await totals(set);
        const load = await runLoad({
          port: set.frontPort,
          lanes: 10,
          requestsPerLane: 20,
          size: 100,
        });
        expect(load.failed).toBe(0);
        let after = await totals(set);
        await waitFor("every connection closed on the instances", async () => {
          after = await totals(set);
          return after.torsion_connections_open === 0;
        });
        expect(after.torsion_connections_total! - before.torsion_connections_total!).toBe(
          load.completed,
        );
        expect(after.torsion_bytes_received_total! - before.torsion_bytes_received_total!).toBe(
          load.bytesSent,
        );
        expect(after.torsion_bytes_sent_total! - before.torsion_bytes_sent_total!).toBe(
          load.bytesReceived,
        );
      }, 60_000);

      it.runIf(load)(
        `takes out an instance killed with SIGKILL; the others keep serving${loadNote}`,
        async () => {
          keepOnFailure();
          const victim = set.instances[2] as Instance;
          const lanes = 10;
          const during = runLoad({ port: set.frontPort, lanes, durationMs: 3_000 });
          await new Promise((r) => setTimeout(r, 500));
          const killedAt = Date.now();
          await victim.stop("SIGKILL");
          let takeout = Number.NaN;
          if (balancer === "haproxy") {
            await set.waitForStatus(2, "DOWN", 10_000);
            takeout = Date.now() - killedAt;
          }
          const result = await during;
          // Only the requests in flight on the killed instance can fail (at most one per lane):
          // their connections die with it. New connections are retried on the others.
          const after = await runLoad({ port: set.frontPort, lanes, durationMs: 1_000 });
          console.log(
            `[scale-out] ${balancer} SIGKILL: during ${JSON.stringify(result)}; after ${after.completed}/${after.sent} completed` +
              (balancer === "haproxy" ? `; health-check takeout ${takeout} ms` : ""),
          );
          expect(Object.keys(result.failures).filter((k) => k !== "short answer")).toEqual([]);
          expect(result.failed).toBeLessThanOrEqual(lanes);
          expect(after.failures).toEqual({});
          expect(after.completed).toBe(after.sent);
          // inter 200ms x fall 2, each check bounded by `timeout check 1s`: out within 2.4 s.
          if (balancer === "haproxy") expect(takeout).toBeLessThan(2_400);
          await victim.start();
          if (balancer === "haproxy") await set.waitForStatus(2, "UP");
        },
        60_000,
      );

      it.runIf(load && balancer === "haproxy")(
        `rolling restart under 50 lanes of short connections for 20 s: no request fails${loadNote}`,
        async () => {
          keepOnFailure();
          const load = runLoad({ port: set.frontPort, lanes: 50, durationMs: 20_000 });
          const codes: Array<number | null> = [];
          await new Promise((r) => setTimeout(r, 1_000));
          for (let i = 0; i < set.instances.length; i++) codes.push(await set.restart(i));
          const result = await load;
          console.log(
            `[scale-out] haproxy rolling restart: sent ${result.sent}, completed ${result.completed}, failed ${result.failed} ${JSON.stringify(result.failures)}`,
          );
          expect(codes).toEqual([0, 0, 0]);
          expect(result.failures).toEqual({});
          expect(result.completed).toBe(result.sent);
          expect(result.sent).toBeGreaterThan(100);
        },
        90_000,
      );

      it.runIf(load && balancer === "haproxy")(
        `at SIGTERM an idle connection is closed cleanly (FIN) by the drain, a mid-transfer one is echoed to the end${loadNote}`,
        async () => {
          keepOnFailure();
          // Each client from an address of its own, so the instance logs tell which one serves it.
          const idle = await openClient(set.frontPort, "127.0.0.3");
          idle.socket.write("idle");
          await waitFor("the idle echo", () => idle.received().length === 4);
          const busy = await openClient(set.frontPort, "127.0.0.4");
          busy.socket.write("busy");
          await waitFor("the busy echo", () => busy.received().length === 4);
          const idleAt = await instanceServing(set, "127.0.0.3", idle.socket.localPort as number);
          const busyAt = await instanceServing(set, "127.0.0.4", busy.socket.localPort as number);

          // Stream 2 MiB over ~1.5 s on the busy connection while its instance shuts down
          // (grace 2 s, then up to 5 s of drain): all of it comes back.
          const chunk = Buffer.alloc(16 * 1024, 0x7a);
          let sent = 4;
          const sending = (async () => {
            for (let i = 0; i < 128; i++) {
              busy.socket.write(chunk);
              sent += chunk.length;
              await new Promise((r) => setTimeout(r, 12));
            }
          })();
          const stopping = [idleAt, ...(busyAt === idleAt ? [] : [busyAt])].map((i) =>
            i.stop("SIGTERM"),
          );
          await sending;
          await waitFor("the whole stream echoed", () => busy.received().length >= sent, 20_000);
          expect(busy.received().length).toBe(sent);
          busy.socket.end();
          expect(await idle.ended).toBe("FIN");
          expect(await Promise.all(stopping)).toEqual(stopping.map(() => 0));
          expect(
            idleAt
              .logRecords()
              .some(
                (r) =>
                  String(r.msg).startsWith("Closing 1 connection(s) still open") ||
                  String(r.msg).startsWith("Closing 2 connection(s) still open"),
              ),
          ).toBe(true);
          for (const i of new Set([idleAt, busyAt])) {
            await i.start();
            await set.waitForStatus(i.index, "UP");
          }
        },
        60_000,
      );
    },
  );
}
