// A LineReceiver server answering each line, on the native transport (@torsion/native) and the
// portable one (node:net), over loopback. The client (another process, so it does not share
// this one's CPU time) keeps 50 connections each with 64 lines of 32 bytes in flight and counts
// answers; reports answered lines per second per transport and the ratio, and the server's own
// CPU time per answered line (this process: the client, also Node, is often the bottleneck of
// the throughput, so the CPU figure is the one that tells the transports apart).
// Needs the built packages (`pnpm bench` builds first); skips native if the addon is absent.
// Usage: node bench/native-lines.bench.mjs [--seconds 2]
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { LineReceiver } from "../packages/basic/dist/index.js";
import { createReactor, Factory } from "../packages/core/dist/index.js";
import { available, unavailableReason } from "../packages/native/dist/index.js";
import { printTable } from "./lib.mjs";

const { values: opts } = parseArgs({ options: { seconds: { type: "string", default: "2" } } });
const SECONDS = Number(opts.seconds);

class Answer extends LineReceiver {
  lineReceived(line) {
    this.sendLine(line);
  }
}

const CLIENT = `
const net = require("node:net");
const [port, seconds] = process.argv.slice(1).map(Number);
const line = Buffer.from("x".repeat(31) + "\\r\\n");
const burst = Buffer.concat(Array(64).fill(line));
let answered = 0, counting = false;
const until = Date.now() + 300 + seconds * 1000;
setTimeout(() => { counting = true; answered = 0; }, 300);
for (let i = 0; i < 50; i++) {
  const s = net.connect(port, "127.0.0.1");
  let pending = 0;
  s.on("connect", () => s.write(burst));
  s.on("data", (d) => {
    pending += d.length;
    while (pending >= burst.length) {
      pending -= burst.length;
      if (counting) answered += 64;
      if (Date.now() < until) s.write(burst); else { s.destroy(); }
    }
  });
  s.on("error", () => {});
}
setTimeout(() => { console.log(answered / seconds); process.exit(0); }, 300 + seconds * 1000 + 50);
`;

async function measure(transport) {
  const reactor = createReactor({ transport });
  const port = await reactor.listenTCP(0, Factory.forProtocol(Answer), { interface: "127.0.0.1" });
  const client = spawn(process.execPath, [
    "-e",
    CLIENT,
    String(port.getHost().port),
    String(SECONDS),
  ]);
  let out = "";
  client.stdout.on("data", (d) => (out += d));
  const before = process.cpuUsage();
  await new Promise((r) => client.on("close", r));
  const cpu = process.cpuUsage(before);
  await port.stopListening();
  const rate = Number(out.trim());
  // CPU over the whole client run (warm-up included) per line answered in the counted window,
  // scaled to the whole run: an estimate, the same for both transports.
  const lines = rate * (SECONDS + 0.3);
  return { rate, cpuPerLine: (cpu.user + cpu.system) / lines };
}

const rows = [];
const row = (transport, m, base) => ({
  transport,
  "lines/s": m.rate,
  "x portable": m.rate / base.rate,
  "server CPU µs/line": m.cpuPerLine,
  "CPU x portable": base.cpuPerLine / m.cpuPerLine,
});
const portable = await measure("portable");
rows.push(row("portable", portable, portable));
if (available) {
  rows.push(row("native", await measure("native"), portable));
} else {
  console.log(`native skipped: ${unavailableReason}`);
}
printTable(rows);
process.exit(0);
