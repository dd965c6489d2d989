import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

// Small helpers shared by the benchmarks: timing loops, chunking, a null transport and a
// Markdown table printer.

/**
 * Run `fn` repeatedly for about `ms` milliseconds after a warm-up; returns operations per second.
 * `fn(n)` must perform `n` operations and may return a promise.
 */
export async function opsPerSecond(fn, { ms = 1000, warmupMs = 200, batch = 1000 } = {}) {
  const until = async (budget) => {
    let ops = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < budget) {
      await fn(batch);
      ops += batch;
      elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    }
    return (ops * 1000) / elapsed;
  };
  await until(warmupMs);
  return until(ms);
}

/**
 * Best wall time of `fn()` over `runs` runs after two warm-ups, in seconds; `fn` may return a
 * promise. The best, not the median: on a shared machine the noise only ever adds time.
 */
export async function bestTime(fn, runs = 15) {
  await fn();
  await fn();
  const now = benchClock();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    await fn();
    best = Math.min(best, now() - t0);
  }
  return best;
}

/**
 * The clock {@link bestTime} reads, in seconds: wall time, or with `TORSION_BENCH_CPU` set this
 * process's CPU time (user + system), which time spent waiting for a core on a busy machine
 * does not inflate. Meant for CPU-bound, synchronous work compared build against build
 * (`compare-basic.mjs` sets it).
 */
function benchClock() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by benchmarks, which turbo never runs
  if (process.env.TORSION_BENCH_CPU) {
    return () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    };
  }
  return () => Number(process.hrtime.bigint()) / 1e9;
}

/** `buf` cut into consecutive views of `size` bytes (the last may be shorter). */
export function chunksOf(buf, size) {
  const out = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

/** A chunk size for a table: `16 B`, `64 KiB`. */
export function sizeLabel(bytes) {
  return bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

/** A transport that accepts everything and does nothing: the protocol is all that is measured. */
export function nullTransport() {
  return {
    disconnecting: false,
    write() {},
    writeSequence() {},
    loseConnection() {
      this.disconnecting = true;
    },
    getPeer() {},
    getHost() {},
    pauseProducing() {},
    resumeProducing() {},
    stopProducing() {},
  };
}

/**
 * Feed `chunks` in turn to `accumulator` and take every message `decoder` can decode after each
 * (a @torsion/basic decoder and Accumulator, passed in so this file imports no package).
 * Returns how many messages were decoded.
 */
export function countDecoded(decoder, accumulator, chunks) {
  let n = 0;
  for (let i = 0; i < chunks.length; i++) {
    accumulator.push(chunks[i]);
    while (decoder.decode(accumulator) !== undefined) n++;
  }
  return n;
}

/** Median of a list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Print rows (objects with the same keys) as a Markdown table, or as one JSON line when
 * `TORSION_BENCH_JSON` is set (for `compare-basic.mjs`, which merges runs).
 */
export function printTable(rows) {
  if (rows.length === 0) return;
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by benchmarks, which turbo never runs
  if (process.env.TORSION_BENCH_JSON) {
    console.log(JSON.stringify({ table: rows }));
    return;
  }
  const keys = Object.keys(rows[0]);
  const fmt = (v) =>
    typeof v === "number"
      ? Math.abs(v) >= 100
        ? Math.round(v).toLocaleString("en-US")
        : v.toFixed(2)
      : String(v);
  console.log(`| ${keys.join(" | ")} |`);
  console.log(`|${keys.map(() => "---").join("|")}|`);
  for (const r of rows) console.log(`| ${keys.map((k) => fmt(r[k])).join(" | ")} |`);
}

/**
 * The URL of the @torsion/basic build a benchmark measures: this repository's `dist/`, or the
 * build in the directory named by `TORSION_BASIC_DIST` (made by `build-baseline.mjs`).
 */
export function basicEntry() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by benchmarks, which turbo never runs
  const dir = process.env.TORSION_BASIC_DIST;
  if (dir === undefined || dir === "")
    return new URL("../packages/basic/dist/index.js", import.meta.url).href;
  return pathToFileURL(join(resolve(dir), "dist", "index.js")).href;
}
