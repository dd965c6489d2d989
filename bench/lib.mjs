// Small helpers shared by the benchmarks: a timing loop and a Markdown table printer.

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

/** Median of a list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Print rows (objects with the same keys) as a Markdown table. */
export function printTable(rows) {
  if (rows.length === 0) return;
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
