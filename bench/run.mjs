#!/usr/bin/env node
// Runs every bench/*.bench.mjs (or those whose name contains an argument) one after another,
// each in its own Node process so one benchmark's heap and JIT state do not colour the next.
// Benchmarks import the built packages (dist/), so `pnpm bench` builds first.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.mjs"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(", ") || "(none found)"}`);
  process.exit(1);
}
let failed = 0;
for (const f of files) {
  console.log(`\n## ${f.replace(/\.bench\.mjs$/, "")}\n`);
  const r = spawnSync(process.execPath, ["--expose-gc", join(here, f)], { stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    console.error(`${f} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(failed ? 1 : 0);
