// The balancer's cost: the same load (short request/response connections, 20 lanes, 64-byte
// requests) straight to three `twist` instances on `haproxy:` endpoints (the client writes the
// PROXY header itself) and through HAProxy (send-proxy-v2) and nginx stream (proxy_protocol).
// The ratio is the price of the extra hop on one machine, not a target.
// Runs the built example (examples/dist/scale-out); skips a balancer that is not installed.
import { fileURLToPath } from "node:url";
import { printTable } from "./lib.mjs";

const dist = (p) => fileURLToPath(new URL(`../examples/dist/scale-out/${p}`, import.meta.url));
const { ScaleOut, available } = await import(dist("scale-out.js"));
const { runLoad } = await import(dist("load.js"));

const LANES = 20;
const SECONDS = 2;
const ROUNDS = 3;

async function rate(options) {
  const r = await runLoad({ ...options, lanes: LANES, durationMs: SECONDS * 1000 });
  if (r.failed > 0) throw new Error(`${r.failed} requests failed: ${JSON.stringify(r.failures)}`);
  return (r.completed * 1000) / r.elapsedMs;
}

/** Mean milliseconds per request of one lane of 200 sequential requests. */
async function latency(options) {
  const r = await runLoad({ ...options, lanes: 1, requestsPerLane: 200 });
  return r.elapsedMs / r.completed;
}

// Direct and balanced runs alternate, best of ROUNDS each: on a shared machine the noise
// only ever slows a run down, and alternating spreads it over both.
const rows = [];
for (const balancer of ["haproxy", "nginx"]) {
  if (!available(balancer)) {
    console.log(`(${balancer} not installed: skipped)`);
    continue;
  }
  const set = await ScaleOut.up({ balancer, grace: 0 });
  try {
    const direct = { port: set.instances.map((i) => i.port), proxyHeader: true };
    const through = { port: set.frontPort };
    await runLoad({ ...direct, lanes: LANES, durationMs: 300 });
    await runLoad({ ...through, lanes: LANES, durationMs: 300 });
    let bestDirect = 0;
    let bestThrough = 0;
    let latDirect = Number.POSITIVE_INFINITY;
    let latThrough = Number.POSITIVE_INFINITY;
    for (let i = 0; i < ROUNDS; i++) {
      bestDirect = Math.max(bestDirect, await rate(direct));
      bestThrough = Math.max(bestThrough, await rate(through));
      latDirect = Math.min(latDirect, await latency(direct));
      latThrough = Math.min(latThrough, await latency(through));
    }
    rows.push({
      balancer,
      "direct req/s": bestDirect,
      "balanced req/s": bestThrough,
      "req/s balanced / direct": bestThrough / bestDirect,
      "direct ms/req (1 lane)": latDirect,
      "balanced ms/req (1 lane)": latThrough,
      "latency balanced / direct": latThrough / latDirect,
    });
  } finally {
    await set.down();
  }
}
printTable(rows);
