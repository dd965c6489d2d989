// User-space instructions per 64-byte echo round trip, one connection, with
// `valgrind --tool=callgrind` on the server: two runs of a fixed number of round trips, and the
// difference divided by the difference in round trips (start-up and shutdown cancel out).
// Usage: node callgrind-echo.mjs [net portable native]   (needs valgrind; builds nothing)
import { spawn } from "node:child_process";
import * as net from "node:net";
import { fileURLToPath } from "node:url";

const server = fileURLToPath(new URL("./one-connection-echo.mjs", import.meta.url));
const kinds =
  process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["net", "portable", "native"];
// Enough round trips that the JIT has settled in both runs (under valgrind the hot functions
// are optimized only after about 3,500 round trips); ROUNDS="short long" to change.
const [SHORT, LONG] = (process.env.ROUNDS ?? "6000 16000").split(" ").map(Number);

async function instructions(kind, rounds) {
  const child = spawn(
    "valgrind",
    ["--tool=callgrind", "--callgrind-out-file=/dev/null", "node", server, kind],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let log = "";
  child.stderr.on("data", (d) => (log += d));
  const port = await new Promise((resolve) =>
    child.stdout.once("data", (d) => resolve(Number(String(d).trim()))),
  );
  await new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    s.setNoDelay(true);
    const message = Buffer.alloc(64, 120);
    let left = rounds;
    let got = 0;
    s.on("connect", () => s.write(message));
    s.on("data", (d) => {
      got += d.length;
      while (got >= 64) {
        got -= 64;
        if (--left > 0) s.write(message);
        else s.end();
      }
    });
    s.on("error", reject);
    s.on("close", resolve);
  });
  await new Promise((resolve) => child.on("close", resolve));
  const m = /Collected : (\d+)/.exec(log);
  if (!m) throw new Error(`no instruction count for ${kind}:\n${log}`);
  return Number(m[1]);
}

for (const kind of kinds) {
  const a = await instructions(kind, SHORT);
  const b = await instructions(kind, LONG);
  console.log(`${kind}\t${Math.round((b - a) / (LONG - SHORT))} instructions per round trip`);
}
