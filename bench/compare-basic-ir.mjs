#!/usr/bin/env node
// The framing cases of lines.bench.mjs and framing.bench.mjs, counted in instructions (valgrind's
// callgrind) for this tree's @torsion/basic and a baseline build of it, instead of timed:
//
//   node bench/build-baseline.mjs main /tmp/basic-main
//   pnpm build && node bench/compare-basic-ir.mjs /tmp/basic-main [iterations]
//
// Why: on a shared 2-core machine the timed comparison (compare-basic.mjs) moves by ±10 % from
// run to run, more than the differences being looked for. An instruction count of the same
// code on the same input repeats to 0.1 %. It is a proxy: it does not see cache misses or the
// cost of a native call beyond its instructions, so confirm a change with compare-basic.mjs.
//
// How: each group of cases (the lines bench's, the framing bench's) runs in one process per
// build, as in the benches, so each build's JIT sees the same mix of classes. Every case is
// warmed up first, then measured between two `os.loadavg()` calls, at which callgrind dumps its
// counters (`--dump-before`); V8 runs single-threaded so that compilation and GC land where
// they are caused. The inputs are smaller than the benches' (valgrind runs ~50x slower).
// Takes a few minutes; needs valgrind.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { basicEntry, chunksOf, nullTransport, printTable, sizeLabel } from "./lib.mjs";

const self = fileURLToPath(import.meta.url);
const GROUPS = ["lines", "framing"];

/** The cases of one group: name → [run once, returning the frame count; expected count]. */
async function casesOf(group) {
  const B = await import(basicEntry());
  const cases = new Map();
  const viaProtocol = (Klass, chunks) => () => {
    const p = new Klass();
    p.makeConnection(nullTransport());
    for (let i = 0; i < chunks.length; i++) p.dataReceived(chunks[i]);
    return p.count;
  };
  const viaDecoder = (make, chunks) => () => {
    const decoder = make();
    const input = new B.Accumulator();
    let n = 0;
    for (let i = 0; i < chunks.length; i++) {
      input.push(chunks[i]);
      while (decoder.decode(input) !== undefined) n++;
    }
    return n;
  };
  if (group === "lines") {
    class Counter extends B.LineReceiver {
      count = 0;
      lineReceived() {
        this.count++;
      }
    }
    const LINES = 20_000;
    const line52 = Buffer.from(`${"abcdefghij".repeat(5)}\r\n`);
    const whole = Buffer.concat(Array.from({ length: LINES }, () => line52));
    for (const size of [16, 1024, 65536]) {
      const chunks = chunksOf(whole, size);
      const label = `52 B lines · ${sizeLabel(size)}`;
      cases.set(`${label} · LineReceiver`, [viaProtocol(Counter, chunks), LINES]);
      cases.set(`${label} · LineDecoder`, [viaDecoder(() => new B.LineDecoder(), chunks), LINES]);
    }
    return cases;
  }
  class NetCounter extends B.NetstringReceiver {
    count = 0;
    stringReceived() {
      this.count++;
    }
  }
  class Int32Counter extends B.Int32StringReceiver {
    count = 0;
    stringReceived() {
      this.count++;
    }
  }
  for (const payloadSize of [32, 1000]) {
    const payload = Buffer.alloc(payloadSize, "p");
    const count = payloadSize > 100 ? 2_000 : 20_000;
    const formats = [
      ["netstring", B.encodeNetstring(payload), NetCounter, "NetstringReceiver"],
      ["int32", B.encodeIntPrefixed(payload, 4), Int32Counter, "Int32StringReceiver"],
    ];
    for (const [format, one, Klass, name] of formats) {
      const whole = Buffer.concat(Array.from({ length: count }, () => one));
      const make =
        format === "netstring"
          ? () => new B.NetstringDecoder()
          : () => new B.IntPrefixDecoder({ prefixLength: 4 });
      for (const size of [16, 1024]) {
        const chunks = chunksOf(whole, size);
        const label = `${format} · ${payloadSize} B · ${sizeLabel(size)}`;
        cases.set(`${label} · ${name}`, [viaProtocol(Klass, chunks), count]);
        cases.set(`${label} · decoder`, [viaDecoder(make, chunks), count]);
      }
    }
  }
  return cases;
}

/** Under callgrind: warm every case up, then run each `iterations` times between two markers. */
async function child(group, iterations) {
  const cases = await casesOf(group);
  const check = (name, [run, expected]) => {
    if (run() !== expected) throw new Error(`${name}: wrong frame count`);
  };
  for (let round = 0; round < 4; round++) for (const [name, c] of cases) check(name, c);
  for (const [name, c] of cases) {
    check(name, c); // once more, so that a recompilation after the previous case is not counted
    globalThis.gc();
    loadavg(); // callgrind dumps here: the measurement starts
    for (let i = 0; i < iterations; i++) check(name, c);
    loadavg(); // and here: it ends
    globalThis.gc();
  }
  console.log(JSON.stringify([...cases.keys()]));
}

/** Run one group for one build under callgrind; resolves to case name → instructions per run. */
function measure(group, dist, iterations) {
  const dir = mkdtempSync(join(tmpdir(), "torsion-ir-"));
  const env = { ...process.env };
  if (dist === undefined) delete env.TORSION_BASIC_DIST;
  else env.TORSION_BASIC_DIST = dist;
  const args = [
    "--tool=callgrind",
    "--dump-before=*GetLoadAvg*",
    `--callgrind-out-file=${join(dir, "cg.out")}`,
    process.execPath,
    "--single-threaded",
    "--expose-gc",
    self,
    "--child",
    group,
    String(iterations),
  ];
  return new Promise((resolve, reject) => {
    const p = spawn("valgrind", args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("close", (status) => {
      try {
        if (status !== 0) throw new Error(`${group} (${dist ?? "this tree"}) failed:\n${err}`);
        const names = JSON.parse(out.trim().split("\n").at(-1));
        // Parts cg.out.1, .2, …: part 1 is the warm-up, then each case is an even part.
        const parts = readdirSync(dir)
          .filter((f) => /^cg\.out\.\d+$/.test(f))
          .sort((a, b) => Number(a.split(".").at(-1)) - Number(b.split(".").at(-1)))
          .map((f) => {
            const m = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, f), "utf8"));
            return Number(m?.[1]);
          });
        resolve(new Map(names.map((name, i) => [name, parts[2 * i + 1] / iterations])));
      } catch (e) {
        reject(e);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

if (process.argv[2] === "--child") {
  await child(process.argv[3], Number(process.argv[4]));
} else {
  const [baselineDir, iterationsArg = "6"] = process.argv.slice(2);
  if (baselineDir === undefined) {
    console.error("usage: node bench/compare-basic-ir.mjs <baseline-directory> [iterations]");
    process.exit(64);
  }
  if (spawnSync("valgrind", ["--version"]).status !== 0) {
    console.error("compare-basic-ir: valgrind is not installed");
    process.exit(69);
  }
  const iterations = Number(iterationsArg);
  for (const group of GROUPS) {
    // The two builds in parallel: counts do not depend on load.
    const [current, baseline] = await Promise.all([
      measure(group, undefined, iterations),
      measure(group, baselineDir, iterations),
    ]);
    const rows = [];
    for (const [name, ir] of current) {
      const base = baseline.get(name);
      if (base === undefined) continue;
      rows.push({
        case: name,
        "this tree Mi/run": ir / 1e6,
        "baseline Mi/run": base / 1e6,
        // > 1 means this tree runs fewer instructions.
        "speed ratio": base / ir,
      });
    }
    console.log(`\n## ${group}: instructions, this tree against ${baselineDir}\n`);
    printTable(rows);
  }
}
