// deferToThread round-trip latency for a trivial task (add two numbers), one call at a time,
// against piscina running the same worker entry directly; and throughput with 64 in flight.
import { createRequire } from "node:module";
import { deferToThreadPool, defineTask, ThreadPool } from "../packages/threads/dist/index.js";
import { median, printTable } from "./lib.mjs";

// piscina is a dependency of @torsion/threads, not of the repository root.
const { Piscina } = createRequire(new URL("../packages/threads/package.json", import.meta.url))(
  "piscina",
);

const TASK_MODULE = "data:text/javascript,export function add(a, b) { return a + b; }";
const add = defineTask(TASK_MODULE, "add");
const CALLS = 2000;

async function latencyUs(call) {
  for (let i = 0; i < 200; i++) await call(); // warm up: worker started, module cached
  const samples = [];
  for (let i = 0; i < CALLS; i++) {
    const start = process.hrtime.bigint();
    await call();
    samples.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  return median(samples);
}

async function throughput(call, inFlight = 64, total = 20000) {
  const start = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < total) await call();
    }),
  );
  return total / (Number(process.hrtime.bigint() - start) / 1e9);
}

const pool = new ThreadPool({ maxThreads: 2 });
const viaTorsion = () => deferToThreadPool(pool, add, 1, 2);

const piscina = new Piscina({
  filename: new URL("../packages/threads/dist/worker.mjs", import.meta.url).href,
  minThreads: 0,
  maxThreads: 2,
  atomics: "async",
});
const viaPiscina = () => piscina.run({ module: TASK_MODULE, name: "add", args: [1, 2] });

const torsionLatency = await latencyUs(viaTorsion);
const piscinaLatency = await latencyUs(viaPiscina);
const torsionRate = await throughput(viaTorsion);
const piscinaRate = await throughput(viaPiscina);
printTable([
  {
    what: "deferToThreadPool (Deferred)",
    "round trip µs (median)": torsionLatency,
    "tasks/s, 64 in flight": torsionRate,
  },
  {
    what: "piscina.run, same worker entry",
    "round trip µs (median)": piscinaLatency,
    "tasks/s, 64 in flight": piscinaRate,
  },
]);
await pool.stop();
await piscina.destroy();
