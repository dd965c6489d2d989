// Start-up time of `twist echo` from spawn to listening (its "starting on" log line), against
// Node's own start-up (`node -e 0`, spawn to exit) and a bare node:net server (spawn to
// listening). Target: `twist echo` within 150 ms of `node -e 0`.
// Runs the built CLI (packages/application/dist/cli.js) with the @torsion/echo plugin installed
// in the repository's node_modules.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median, printTable } from "./lib.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = fileURLToPath(new URL("../packages/application/dist/cli.js", import.meta.url));
const ROUNDS = 15;

/** Milliseconds from spawn until `ready(output)` is true (or the process exits), then stop it. */
function timeUntil(args, ready) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let elapsed;
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.stdout.on("data", (d) => {
      out += d;
      if (elapsed === undefined && ready(out)) {
        elapsed = performance.now() - start;
        child.kill("SIGTERM");
      }
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (elapsed === undefined && ready === exited) elapsed = performance.now() - start;
      if (elapsed === undefined)
        reject(new Error(`exited with ${code} before ready:\n${out}${err}`));
      else resolve(elapsed);
    });
  });
}

const exited = () => false;

const cases = [
  ["node -e 0 (spawn to exit)", ["-e", "0"], exited],
  [
    "node:net server (spawn to listening)",
    ["-e", "require('net').createServer().listen(0,'127.0.0.1',()=>console.log('listening'))"],
    (out) => out.includes("listening"),
  ],
  [
    "twist echo (spawn to listening)",
    [CLI, "echo", "--listen", "tcp:0:interface=127.0.0.1"],
    (out) => /starting on \d+/.test(out),
  ],
];

const results = new Map();
for (const [name] of cases) results.set(name, []);
// Interleave the cases so machine load affects them alike.
for (let i = 0; i < ROUNDS; i++) {
  for (const [name, args, ready] of cases) results.get(name).push(await timeUntil(args, ready));
}
const base = median(results.get(cases[0][0]));
printTable(
  cases.map(([name]) => {
    const m = median(results.get(name));
    return { case: name, "median ms": m.toFixed(1), "over node -e 0 (ms)": (m - base).toFixed(1) };
  }),
);
const over = median(results.get(cases[2][0])) - base;
console.log(`\ntwist echo start-up over Node's own: ${over.toFixed(1)} ms (target < 150 ms)`);
