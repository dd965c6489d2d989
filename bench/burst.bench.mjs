// A burst of connections (issue 11's target): 10,000 clients connect at once to an echo
// server listening with the default backlog (511), each sends one byte and waits for the echo;
// all must be served within 5 s, none left waiting in an overflowed accept queue (where a
// client believes it is connected and its SYN-ACK is retransmitted for 1-30 s). The same
// burst against a backlog of 50 (Twisted's) is shown beside it.
// Needs the built packages (`pnpm build`), Linux, and a descriptor limit above 2 x clients.
// Usage: node bench/burst.bench.mjs [--clients 10000]
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { printTable } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { values: opts } = parseArgs({ options: { clients: { type: "string", default: "10000" } } });
const CLIENTS = Number(opts.clients);

async function startServer(backlog) {
  const args = [
    join(here, "burst-server.mjs"),
    ...(backlog === undefined ? [] : [String(backlog)]),
  ];
  const child = spawn(
    "sh",
    ["-c", `ulimit -n 65536 2>/dev/null || ulimit -n $(ulimit -Hn); exec node ${args.join(" ")}`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const port = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/PORT (\d+)/);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, port };
}

/** One client: connect, send a byte, resolve with the ms until its echo (or -1 on failure). */
function pingOnce(port, started, deadline) {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    const timer = setTimeout(() => finish(-1), deadline);
    function finish(ms) {
      clearTimeout(timer);
      s.destroy();
      resolve(ms);
    }
    s.on("connect", () => s.write("x"));
    s.on("data", () => finish(Date.now() - started));
    s.on("error", () => finish(-1));
  });
}

/** The kernel's count of connections dropped from full accept queues (all sockets). */
function listenOverflows() {
  try {
    const lines = readFileSync("/proc/net/netstat", "utf8").split("\n");
    const i = lines.findIndex((l) => l.startsWith("TcpExt:"));
    const names = lines[i].split(/\s+/);
    const values = lines[i + 1].split(/\s+/);
    return Number(values[names.indexOf("ListenOverflows")]);
  } catch {
    return Number.NaN;
  }
}

async function burst(backlog) {
  const server = await startServer(backlog);
  try {
    const overflowsBefore = listenOverflows();
    const started = Date.now();
    const sockets = [];
    for (let i = 0; i < CLIENTS; i++) sockets.push(pingOnce(server.port, started, 35_000));
    const times = (await Promise.all(sockets)).sort((a, b) => a - b);
    const ok = times.filter((t) => t >= 0);
    return {
      backlog: backlog ?? "default (511)",
      clients: CLIENTS,
      echoed: ok.length,
      "within 5 s": ok.filter((t) => t <= 5000).length,
      "p50 (ms)": ok[Math.floor(ok.length / 2)] ?? -1,
      "p99 (ms)": ok[Math.floor(ok.length * 0.99)] ?? -1,
      "last (ms)": ok[ok.length - 1] ?? -1,
      "queue overflows": listenOverflows() - overflowsBefore,
      target: "all within 5 s",
      ok: ok.length === CLIENTS && ok[ok.length - 1] <= 5000 ? "yes" : "NO",
    };
  } finally {
    server.child.kill();
  }
}

const rows = [await burst(undefined), await burst(50)];
printTable(rows);
