// TCP transport benchmarks that the shared echo harness does not cover:
//
// 1. 10,000 concurrent connections: the Torsion echo server (echo-server.mjs) and the raw
//    node:net peer each accept 10k loopback connections (every one does a 1-byte ping-pong,
//    proving it was served) with `ulimit -n` raised to 65536; reports the time to open them
//    and the server's RSS per idle connection (median over REPS repetitions).
// 2. writeSequence: counts the system calls that hand 100 small buffers to the kernel, with
//    one `writeSequence` against one `write` per buffer (needs `strace`).
//
// Needs the built core (`cd packages/core && npx tsc -p tsconfig.json`, or `pnpm bench`), gcc
// for the load generator of ../../shared/bench, Linux (/proc).
// Usage: node bench/tcp.bench.mjs [--conns 10000] [--reps 3] [--shared ../shared/bench]
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { median, printTable } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { values: opts } = parseArgs({
  options: {
    conns: { type: "string", default: "10000" },
    reps: { type: "string", default: "3" },
    shared: { type: "string" },
  },
});
const shared = resolve(opts.shared ?? join(here, "../../shared/bench"));
const CONNS = Number(opts.conns);
const REPS = Number(opts.reps);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (!existsSync(join(here, "../packages/core/dist/index.js"))) {
  console.error("build @torsion/core first: cd packages/core && npx tsc -p tsconfig.json");
  process.exit(1);
}

function loadgen() {
  const src = join(shared, "loadgen/echoload.c");
  const out = join(here, "results/.build/echoload");
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    mkdirSync(dirname(out), { recursive: true });
    execFileSync("gcc", ["-O2", "-Wall", "-o", out, src], { stdio: "inherit" });
  }
  return out;
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

const servers = {
  "node-net": (port) => `exec node ${join(shared, "servers/node-net-echo.js")} ${port}`,
  torsion: (port) => `exec node ${join(here, "echo-server.mjs")} ${port}`,
};

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m[1]);
}

async function startServer(name) {
  const port = await freePort();
  const child = spawn(
    "bash",
    ["-c", `ulimit -n 65536 2>/dev/null || ulimit -n $(ulimit -Hn); ${servers[name](port)}`],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let ready = false;
  child.stderr.on("data", (d) => {
    if (/listening/.test(String(d))) ready = true;
  });
  for (let i = 0; i < 200 && !ready; i++) await sleep(25);
  if (!ready) throw new Error(`${name} did not start`);
  return { port, child, pid: child.pid };
}

/** Open CONNS idle connections; resolves with { setupMs, kibPerConn } once they are all served. */
async function idleRun(name, echoload) {
  const server = await startServer(name);
  try {
    spawnSync(echoload, ["-p", String(server.port), "-m", "idle", "-c", "20", "-d", "0"]);
    await sleep(300);
    const base = rssKiB(server.pid);
    const client = spawn(
      "bash",
      [
        "-c",
        `ulimit -n 65536 2>/dev/null || ulimit -n $(ulimit -Hn); exec ${echoload} -p ${server.port} -m idle -c ${CONNS} -d 60`,
      ],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    client.stdout.on("data", (d) => (out += d));
    for (let i = 0; i < 2400 && !/READY/.test(out); i++) await sleep(25);
    const m = /READY conns=(\d+) setup_ms=([\d.]+)/.exec(out);
    if (!m) throw new Error(`${name}: the client did not get ${CONNS} connections served: ${out}`);
    await sleep(1000);
    const withConns = rssKiB(server.pid);
    client.kill();
    return { served: Number(m[1]), setupMs: Number(m[2]), kibPerConn: (withConns - base) / CONNS };
  } finally {
    server.child.kill("SIGTERM");
    await sleep(300);
  }
}

const echoload = loadgen();
const runs = { "node-net": [], torsion: [] };
for (let rep = 0; rep < REPS; rep++) {
  const order = rep % 2 ? ["torsion", "node-net"] : ["node-net", "torsion"];
  for (const name of order) runs[name].push(await idleRun(name, echoload));
}
const base = median(runs["node-net"].map((r) => r.kibPerConn));
console.log(
  `### ${CONNS.toLocaleString("en-US")} concurrent loopback connections (median of ${REPS})\n`,
);
printTable(
  Object.entries(runs).map(([name, rs]) => ({
    server: name,
    served: Math.min(...rs.map((r) => r.served)),
    "open all (ms)": median(rs.map((r) => r.setupMs)),
    "KiB / idle conn": median(rs.map((r) => r.kibPerConn)),
    "KiB more than node:net": median(rs.map((r) => r.kibPerConn)) - base,
  })),
);

// --- writeSequence: system calls per sequence of 100 x 16 B ------------------------------------
const strace = spawnSync("strace", ["-V"]);
if (strace.status !== 0) {
  console.log("\n(writeSequence syscall count skipped: strace is not installed)");
} else {
  const sink = spawn(
    process.execPath,
    [
      "-e",
      `const s=require("net").createServer(c=>{c.resume();c.on("error",()=>{})}).listen(0,"127.0.0.1",()=>console.log(s.address().port))`,
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const port = await new Promise((r) => sink.stdout.once("data", (d) => r(Number(String(d)))));
  const rounds = 200;
  const rows = [];
  for (const mode of ["sequence", "each"]) {
    const report = join(here, `results/.build/strace.${mode}`);
    const args = [
      "-f",
      "-c",
      "-e",
      "trace=write,writev",
      "-o",
      report,
      process.execPath,
      join(here, "write-sequence.mjs"),
    ];
    spawnSync("strace", [...args, String(port), mode, String(rounds), "100", "16"], {
      stdio: "inherit",
    });
    const r = { stdout: readFileSync(report, "utf8") };
    const count = (sys) => {
      // strace -c rows: % time, seconds, usecs/call, calls, [errors,] syscall
      const row = r.stdout
        .split("\n")
        .map((l) => l.trim().split(/\s+/))
        .find((f) => f.at(-1) === sys);
      return row ? Number(row[3]) : 0;
    };
    rows.push({
      mode: mode === "sequence" ? "writeSequence(100 bufs)" : "100 x write",
      writev: count("writev"),
      write: count("write"),
      "syscalls per 100 bufs": (count("writev") + count("write")) / rounds,
    });
  }
  sink.kill();
  console.log(
    `\n### writeSequence: system calls for ${rounds} bursts of 100 x 16-byte buffers (strace; includes a few unrelated writes)\n`,
  );
  printTable(rows);
}
process.exit(0);
