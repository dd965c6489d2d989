#!/usr/bin/env node
// Runs framing benchmarks against this tree's @torsion/basic and a baseline build of it, in one
// run, and prints both figures side by side:
//
//   node bench/build-baseline.mjs main /tmp/basic-main
//   pnpm build && node bench/compare-basic.mjs /tmp/basic-main lines framing
//
// Each benchmark runs in its own process per build (so neither build's JIT state colours the
// other's), alternating builds for ROUNDS rounds (default 3, env COMPARE_ROUNDS); each figure is
// the best over the rounds, since on a shared machine noise only ever makes a run slower. Times
// are CPU time (TORSION_BENCH_CPU), so waiting for a core does not count.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { printTable } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const [baselineDir, ...names] = process.argv.slice(2);
if (baselineDir === undefined || names.length === 0) {
  console.error("usage: node bench/compare-basic.mjs <baseline-directory> <bench-name>...");
  process.exit(64);
}
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by benchmarks, which turbo never runs
const rounds = Number(process.env.COMPARE_ROUNDS ?? 3);

/** Higher is better for rates, lower for times; other numeric columns (ratios) are not compared. */
function direction(column) {
  if (column === "MB/s") return 0; // the same as the message rate, in other units
  if (column.endsWith("/s")) return 1;
  if (column.endsWith(" ms")) return -1;
  return 0;
}

/** One benchmark run: its tables, each a list of rows. */
function run(name, dist) {
  const env = { ...process.env, TORSION_BENCH_JSON: "1", TORSION_BENCH_CPU: "1" };
  if (dist === undefined) delete env.TORSION_BASIC_DIST;
  else env.TORSION_BASIC_DIST = dist;
  const r = spawnSync(process.execPath, ["--expose-gc", join(here, `${name}.bench.mjs`)], {
    env,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${name} (${dist ?? "this tree"}) failed:\n${r.stderr}`);
  return r.stdout
    .split("\n")
    .filter((l) => l.startsWith('{"table"'))
    .map((l) => JSON.parse(l).table);
}

/** Keep the best value of each compared column per row (rows keyed by their text columns). */
function merge(best, tables) {
  tables.forEach((rows, t) => {
    for (const row of rows) {
      // The text columns, and the first column whatever it is (the long-line table's is a size).
      const key = `${t}|${Object.entries(row)
        .filter(([, v], i) => i === 0 || typeof v === "string")
        .map(([, v]) => v)
        .join(" · ")}`;
      const prev = best.get(key) ?? {};
      for (const [column, v] of Object.entries(row)) {
        const d = direction(column);
        if (d === 0 || typeof v !== "number") continue;
        if (prev[column] === undefined || d * (v - prev[column]) > 0) prev[column] = v;
      }
      best.set(key, prev);
    }
  });
}

for (const name of names) {
  const current = new Map();
  const baseline = new Map();
  for (let i = 0; i < rounds; i++) {
    merge(current, run(name, undefined));
    merge(baseline, run(name, baselineDir));
  }
  const rows = [];
  for (const [key, figures] of current) {
    const base = baseline.get(key);
    if (base === undefined) continue;
    for (const [column, v] of Object.entries(figures)) {
      const b = base[column];
      if (b === undefined) continue;
      rows.push({
        case: key.slice(key.indexOf("|") + 1),
        figure: column,
        "this tree": v,
        baseline: b,
        // > 1 means this tree is faster, whatever the column's direction.
        "speed ratio": direction(column) > 0 ? v / b : b / v,
      });
    }
  }
  console.log(`\n## ${name}: this tree against ${baselineDir}, best of ${rounds} rounds each\n`);
  printTable(rows);
}
