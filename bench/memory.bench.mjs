// Server memory against clients that send fast and never read (issue 11's targets):
//
// - one client trying to send 1 GiB: the server's RSS must grow by less than 16 MiB;
// - 1,000 such clients at once: by less than 300 KiB each;
//
// for @torsion/echo's Echo, @torsion/timestamp's Timestamp and a @torsion/basic LineReceiver
// answering each line (memory-server.mjs), each in its own process. A client writes 64 KiB
// chunks as fast as its socket takes them and never reads; it stops at 1 GiB or once nothing
// has left for STALL_MS (the server stopped reading: flow control). RSS is the server's
// VmRSS after the clients stalled, minus its VmRSS before they connected.
// Needs the built packages (`pnpm build`) and Linux (/proc).
// Usage: node bench/memory.bench.mjs [--clients 1000] [--kinds echo,timestamp,lines] [--mib 1024]
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { printTable } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { values: opts } = parseArgs({
  options: {
    clients: { type: "string", default: "1000" },
    kinds: { type: "string", default: "echo,timestamp,lines" },
    mib: { type: "string", default: "1024" },
  },
});
const MANY = Number(opts.clients);
const MiB = 1024 ** 2;
const LIMIT = Number(opts.mib) * MiB; // what each client tries to send: 1 GiB

const STALL_MS = 1500;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function rssKiB(pid, field = "VmRSS") {
  const m = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`${field}:\\s+(\\d+)`));
  return Number(m[1]);
}

async function startServer(kind) {
  // The server and its 1,000 connections need descriptors: raise the soft limit if we can.
  const child = spawn(
    "sh",
    [
      "-c",
      `ulimit -n 65536 2>/dev/null || ulimit -n $(ulimit -Hn); exec node ${join(here, "memory-server.mjs")} ${kind}`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const port = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/PORT (\d+)/);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return { child, port };
}

/** The payload for `kind`: lines for the line server, anything for the others. */
function chunkFor(kind) {
  if (kind !== "lines") return Buffer.alloc(64 * 1024, 120);
  const line = `${"x".repeat(98)}\r\n`;
  return Buffer.from(line.repeat(Math.floor((64 * 1024) / line.length)));
}

/** A client that writes `chunk` until `limit` bytes went out or it stalled; never reads. */
function flood(port, chunk, limit) {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    let sent = 0;
    let last = Date.now();
    let timer;
    const done = () => {
      clearInterval(timer);
      resolve({ socket: s, sent });
    };
    const pump = () => {
      while (sent < limit) {
        sent += chunk.length;
        last = Date.now();
        if (!s.write(chunk)) return; // wait for drain
      }
      done();
    };
    s.on("connect", () => {
      s.pause(); // never read
      pump();
      timer = setInterval(() => {
        if (Date.now() - last > STALL_MS) done();
      }, 100);
    });
    s.on("drain", pump);
    s.on("error", () => done());
  });
}

async function measure(kind, clients, perClient) {
  const server = await startServer(kind);
  try {
    // Warm up: one short connection, so the baseline includes a served connection's code paths.
    const warm = await flood(server.port, chunkFor(kind), 256 * 1024);
    warm.socket.resume();
    await sleep(300);
    warm.socket.destroy();
    await sleep(300);
    const before = rssKiB(server.child.pid);
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: clients }, () => flood(server.port, chunkFor(kind), perClient)),
    );
    await sleep(500);
    const after = rssKiB(server.child.pid);
    const sent = results.reduce((a, r) => a + r.sent, 0);
    for (const r of results) r.socket.destroy();
    return {
      growthKiB: after - before,
      perClientKiB: (after - before) / clients,
      sentMiB: sent / MiB,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    server.child.kill();
  }
}

if (spawnSync("test", ["-r", "/proc/self/status"]).status !== 0) {
  console.error("needs Linux /proc");
  process.exit(1);
}

const rows = [];
for (const kind of opts.kinds.split(",")) {
  const one = await measure(kind, 1, LIMIT);
  rows.push({
    server: kind,
    clients: 1,
    "client sent (MiB)": one.sentMiB,
    "RSS growth (KiB)": one.growthKiB,
    "per client (KiB)": one.perClientKiB,
    target: "< 16 MiB",
    ok: one.growthKiB < 16 * 1024 ? "yes" : "NO",
  });
  const many = await measure(kind, MANY, LIMIT);
  rows.push({
    server: kind,
    clients: MANY,
    "client sent (MiB)": many.sentMiB,
    "RSS growth (KiB)": many.growthKiB,
    "per client (KiB)": many.perClientKiB,
    target: "< 300 KiB each",
    ok: many.perClientKiB < 300 ? "yes" : "NO",
  });
}
printTable(rows);
