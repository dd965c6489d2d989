// Deferred vs native Promise: a synchronous callback chain, long asynchronous chains, and the
// memory of a pending Deferred. Run with `node --expose-gc bench/deferred.bench.mjs` (run.mjs
// passes the flag) after building core (`cd packages/core && npx tsc -p tsconfig.json`).
import { Deferred } from "../packages/core/dist/index.js";
import { median, opsPerSecond, printTable } from "./lib.mjs";

const inc = (n) => n + 1;
const dbl = (n) => n * 2;
const dec = (n) => n - 1;
let sink = 0;

// (1) A 3-callback chain, fired synchronously, vs Promise.resolve().then x3, awaited.
async function syncChain(n) {
  for (let i = 0; i < n; i++) {
    const d = new Deferred();
    d.addCallback(inc).addCallback(dbl).addCallback(dec);
    d.callback(i);
  }
}
// Each chain awaited before the next, as code that needs the result does.
async function promiseChain(n) {
  for (let i = 0; i < n; i++) sink += await Promise.resolve(i).then(inc).then(dbl).then(dec);
}
// Native's best case: n chains in flight at once, only the last awaited.
async function promiseChainPipelined(n) {
  let p;
  for (let i = 0; i < n; i++) p = Promise.resolve(i).then(inc).then(dbl).then(dec);
  sink += await p;
}

// (2a) 10,000 steps, each returning a result that arrives asynchronously (in a microtask).
const STEPS = 10_000;
function deferredSteps() {
  const root = new Deferred();
  const step = (n) => {
    const d = new Deferred();
    queueMicrotask(() => d.callback(n + 1));
    return d;
  };
  for (let i = 0; i < STEPS; i++) root.addCallback(step);
  const done = new Promise((resolve) => root.addCallback(resolve));
  root.callback(0);
  return done;
}
function promiseSteps() {
  let p = Promise.resolve(0);
  const step = (n) => new Promise((resolve) => queueMicrotask(() => resolve(n + 1)));
  for (let i = 0; i < STEPS; i++) p = p.then(step);
  return p;
}

// (2b) 10,000 nested: each waits on the next; the innermost fires asynchronously.
function deferredNested() {
  const innermost = new Deferred();
  let d = innermost;
  for (let i = 0; i < STEPS; i++) {
    const inner = d;
    d = new Deferred();
    d.addCallback(() => inner);
    d.callback(0);
  }
  const done = new Promise((resolve) => d.addCallback(resolve));
  queueMicrotask(() => innermost.callback(1));
  return done;
}
function promiseNested() {
  let resolveInnermost;
  let p = new Promise((r) => {
    resolveInnermost = r;
  });
  for (let i = 0; i < STEPS; i++) {
    const inner = p;
    p = Promise.resolve(0).then(() => inner);
  }
  queueMicrotask(() => resolveInnermost(1));
  return p;
}

// (2c) An asynchronous loop: each step's Deferred fires in a microtask and its callback
// returns the next step's Deferred, 10,000 deep (promise: each .then returns the next promise).
function deferredLoop() {
  const loop = (n) => {
    if (n === STEPS) return n;
    const d = new Deferred();
    queueMicrotask(() => d.callback(n + 1));
    return d.addCallback(loop);
  };
  const first = loop(0);
  return new Promise((resolve) => first.addCallback(resolve));
}
function promiseLoop() {
  const loop = (n) => {
    if (n === STEPS) return n;
    return new Promise((resolve) => queueMicrotask(() => resolve(n + 1))).then(loop);
  };
  return loop(0);
}

// (4) `await` on an already-fired Deferred vs on a resolved promise.
async function awaitDeferred(n) {
  for (let i = 0; i < n; i++) {
    const d = new Deferred();
    d.callback(i);
    sink += await d;
  }
}
async function awaitPromise(n) {
  for (let i = 0; i < n; i++) sink += await Promise.resolve(i);
}

/** Median milliseconds of `a()` and of `b()`, runs interleaved so machine load hits both alike. */
async function compareRuns(a, b, runs = 40) {
  for (let i = 0; i < 5; i++) {
    sink += await a();
    sink += await b();
  }
  const ta = [];
  const tb = [];
  const time = async (fn, into) => {
    const t = process.hrtime.bigint();
    sink += await fn();
    into.push(Number(process.hrtime.bigint() - t) / 1e6);
  };
  for (let i = 0; i < runs; i++) {
    await time(a, ta);
    await time(b, tb);
  }
  return [median(ta), median(tb)];
}

/** Median ops/s of each function, measured in interleaved rounds. */
async function compareOps(fns, rounds = 7) {
  const samples = fns.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < fns.length; i++) {
      samples[i].push(await opsPerSecond(fns[i], { ms: 250, warmupMs: r === 0 ? 200 : 20 }));
    }
  }
  return samples.map(median);
}

// (3) Heap bytes per pending object, over 100k.
function bytesPer(make, count = 100_000) {
  if (typeof globalThis.gc !== "function") return Number.NaN;
  const samples = [];
  for (let round = 0; round < 5; round++) {
    globalThis.gc();
    const before = process.memoryUsage().heapUsed;
    // Held through a global so the allocations cannot be optimised away.
    globalThis.__benchKeep = new Array(count);
    const keep = globalThis.__benchKeep;
    const arrayBytes = (() => {
      globalThis.gc();
      return process.memoryUsage().heapUsed - before;
    })();
    for (let i = 0; i < count; i++) keep[i] = make();
    globalThis.gc();
    const after = process.memoryUsage().heapUsed;
    samples.push((after - before - arrayBytes) / count);
    globalThis.__benchKeep = undefined;
  }
  return median(samples);
}

const rows = [];

const [syncOps, promiseOps, pipelinedOps] = await compareOps([
  syncChain,
  promiseChain,
  promiseChainPipelined,
]);
const opsCell = (x) => `${Math.round(x).toLocaleString("en-US")} ops/s`;
rows.push({
  case: "3-callback chain: sync fire vs each .then x3 awaited",
  torsion: opsCell(syncOps),
  native: opsCell(promiseOps),
  ratio: `${(syncOps / promiseOps).toFixed(2)}x faster`,
  target: ">= 2x faster",
});
rows.push({
  case: "3-callback chain: sync fire vs 1,000 .then x3 in flight, last awaited",
  torsion: opsCell(syncOps),
  native: opsCell(pipelinedOps),
  ratio: `${(syncOps / pipelinedOps).toFixed(2)}x faster`,
  target: "report",
});

const [dSteps, pSteps] = await compareRuns(deferredSteps, promiseSteps);
rows.push({
  case: "10,000 sequential async steps",
  torsion: `${dSteps.toFixed(2)} ms`,
  native: `${pSteps.toFixed(2)} ms`,
  ratio: `${(dSteps / pSteps).toFixed(2)}x the time`,
  target: "<= 1.2x",
});

const [dNested, pNested] = await compareRuns(deferredNested, promiseNested);
rows.push({
  case: "10,000 nested, innermost fired async",
  torsion: `${dNested.toFixed(2)} ms`,
  native: `${pNested.toFixed(2)} ms`,
  ratio: `${(dNested / pNested).toFixed(2)}x the time`,
  target: "<= 1.2x",
});

const [dLoop, pLoop] = await compareRuns(deferredLoop, promiseLoop);
rows.push({
  case: "10,000-step async loop (each callback returns the next step)",
  torsion: `${dLoop.toFixed(2)} ms`,
  native: `${pLoop.toFixed(2)} ms`,
  ratio: `${(dLoop / pLoop).toFixed(2)}x the time`,
  target: "<= 1.2x",
});

const [awaitD, awaitP] = await compareOps([awaitDeferred, awaitPromise], 5);
rows.push({
  case: "await a fired Deferred vs await a resolved Promise",
  torsion: opsCell(awaitD),
  native: opsCell(awaitP),
  ratio: `${(awaitD / awaitP).toFixed(2)}x as fast`,
  target: "report",
});

const dBytes = bytesPer(() => new Deferred());
const pBytes = bytesPer(() => new Promise(() => {}));
const prBytes = bytesPer(() => {
  let resolve;
  const p = new Promise((r) => {
    resolve = r;
  });
  return { p, resolve };
});
const dcBytes = bytesPer(() => new Deferred().addCallback(inc));
const pcBytes = bytesPer(() => {
  let resolve;
  const p = new Promise((r) => {
    resolve = r;
  });
  return { p: p.then(inc), resolve };
});
const mem = (b) => (Number.isNaN(b) ? "n/a (run with --expose-gc)" : `${b.toFixed(0)} B`);
rows.push({
  case: "pending, nothing attached (Promise: resolvers dropped)",
  torsion: mem(dBytes),
  native: mem(pBytes),
  ratio: `${(dBytes / pBytes).toFixed(2)}x`,
  target: "report",
});
rows.push({
  case: "pending, resolvable (Promise: resolve kept)",
  torsion: mem(dBytes),
  native: mem(prBytes),
  ratio: `${(dBytes / prBytes).toFixed(2)}x`,
  target: "report",
});
rows.push({
  case: "pending, one callback attached (Promise: resolve kept + .then)",
  torsion: mem(dcBytes),
  native: mem(pcBytes),
  ratio: `${(dcBytes / pcBytes).toFixed(2)}x`,
  target: "report",
});

printTable(rows);
if (sink === 42) console.log(""); // keep results alive
