// Log output against a stalled reader: 60,000 logged connections (two events each, as `twist`
// logs them) written as JSON to a pipe nobody reads. Target: RSS grows by < 32 MiB. Shown beside
// the same run with the queue unbounded, which is what the observer did before it was bounded.
// Each case runs in its own process so one case's heap does not colour the other.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  eventAsJSON,
  FileLogObserver,
  globalLogBeginner,
  Logger,
} from "../packages/core/dist/index.js";
import { printTable } from "./lib.mjs";

const CONNECTIONS = 60_000;

async function logConnections(log, n) {
  for (let i = 0; i < n; i++) {
    const prefix = `Echo,${i},127.0.0.1`;
    log.info("Connection made", { log_prefix: prefix, peer: `127.0.0.1:${40000 + (i % 20000)}` });
    log.info("Connection closed cleanly", { log_prefix: prefix });
    // Let I/O run now and then, as a server between connections does.
    if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
  }
}

async function measure(bounded) {
  // A reader that never reads: its stdin pipe fills and stays full.
  const stalled = spawn("sleep", ["60"], { stdio: ["pipe", "ignore", "ignore"] });
  stalled.stdin.on("error", () => {});
  const options = bounded ? {} : { maxQueuedBytes: Infinity, maxQueuedEvents: Infinity };
  const observer = new FileLogObserver(stalled.stdin, (e) => `${eventAsJSON(e)}\n`, options);
  // As `twist` does: begin logging, which also ends the start-up buffer of the global log.
  // Warm up first with output that keeps up, so the heap has grown to its working size and
  // what is measured is what the stalled pipe costs (logging 60,000 connections to an observer
  // that discards everything grows a cold process's RSS by about 35 MiB by itself).
  let sink = (_e) => {};
  globalLogBeginner.beginLoggingTo([(e) => sink(e)], { redirectStandardIO: false });
  const log = new Logger("Echo");
  await logConnections(log, CONNECTIONS);
  sink = (e) => observer.observe(e);
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  await logConnections(log, CONNECTIONS);
  globalThis.gc?.();
  const after = process.memoryUsage().rss;
  const heapAfter = process.memoryUsage().heapUsed;
  stalled.kill("SIGKILL");
  return {
    growthMiB: (after - before) / 2 ** 20,
    heapMiB: (heapAfter - heapBefore) / 2 ** 20,
    dropped: observer.dropped,
  };
}

const mode = process.argv[2];
if (mode === "bounded" || mode === "unbounded") {
  const r = await measure(mode === "bounded");
  process.stdout.write(JSON.stringify(r));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const rows = [];
for (const m of ["bounded", "unbounded"]) {
  const r = spawnSync(process.execPath, ["--expose-gc", self, m], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${m}: ${r.stderr}`);
  const { growthMiB, heapMiB, dropped } = JSON.parse(r.stdout);
  rows.push({
    observer: m === "bounded" ? "bounded queue (default)" : "unbounded (before)",
    "RSS growth MiB": growthMiB,
    "heap growth MiB": heapMiB,
    "events dropped": String(dropped),
    target: m === "bounded" ? (growthMiB < 32 ? "met (< 32 MiB)" : "NOT MET (< 32 MiB)") : "-",
  });
}
console.log(`${CONNECTIONS} logged connections to a stalled stdout pipe, JSON lines\n`);
printTable(rows);
