// Spawn-to-exit overhead: spawnProcess (ProcessProtocol, processEnded) against
// child_process.spawn (waiting for 'close'), both with stdin/stdout/stderr piped, running
// /bin/true one after another. Target: spawnProcess within 1.1x of child_process.spawn.
import { spawn } from "node:child_process";
import { ProcessProtocol, spawnProcess } from "../packages/process/dist/index.js";
import { median, printTable } from "./lib.mjs";

const EXE = "/bin/true";
const PER_ROUND = 50;
const ROUNDS = 8;

function rawOnce() {
  return new Promise((resolve, reject) => {
    const child = spawn(EXE, [], { stdio: ["pipe", "pipe", "pipe"] });
    child.stdout.on("data", () => {});
    child.stderr.on("data", () => {});
    child.on("error", reject);
    child.on("close", resolve);
  });
}

class Ended extends ProcessProtocol {
  constructor(resolve) {
    super();
    this.resolve = resolve;
  }
  processEnded(reason) {
    this.resolve(reason);
  }
}

function torsionOnce() {
  return new Promise((resolve) => spawnProcess(new Ended(resolve), EXE));
}

async function timeRound(once) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) await once();
  return Number(process.hrtime.bigint() - start) / 1e6 / PER_ROUND;
}

// Warm up both, then alternate rounds so drift on a shared machine hits both alike.
await timeRound(rawOnce);
await timeRound(torsionOnce);
const raw = [];
const torsion = [];
for (let r = 0; r < ROUNDS; r++) {
  raw.push(await timeRound(rawOnce));
  torsion.push(await timeRound(torsionOnce));
}
const rawMs = median(raw);
const torsionMs = median(torsion);
printTable([
  { what: "child_process.spawn → 'close'", "ms per spawn (median)": rawMs, ratio: 1 },
  {
    what: "spawnProcess → processEnded",
    "ms per spawn (median)": torsionMs,
    ratio: torsionMs / rawMs,
  },
]);
console.log(
  `\ntarget: spawnProcess within 1.10x of child_process.spawn: ${torsionMs / rawMs <= 1.1 ? "met" : "NOT met"}`,
);
