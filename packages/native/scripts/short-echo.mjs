// A short, fixed echo run on the native transport, for valgrind and callgrind: one server, a
// few node:net clients doing a fixed number of round trips, cork/writev, half-close and reset,
// then everything closes and the process exits on its own. Usage: short-echo.mjs [ROUNDS] [CONNS]
import * as net from "node:net";
import { available, createServer, unavailableReason } from "../dist/index.js";

if (!available) {
  console.error(`native unavailable: ${unavailableReason}`);
  process.exit(2);
}
const rounds = Number(process.argv[2] ?? 200);
const conns = Number(process.argv[3] ?? 4);
const server = createServer();
let accepted = 0;
server.on("connection", (c) => {
  // Every other connection takes borrowed chunks (the shared borrow buffer; what the kernel
  // does not take at once is copied), the others owned ones, written back corked.
  if (accepted++ % 2 === 0) c.setDataListener((d) => c.write(d), true);
  else
    c.on("data", (d) => {
      c.cork();
      c.write(d.subarray(0, 1));
      c.write(d.subarray(1));
      c.uncork();
    });
  c.on("end", () => c.end());
  c.on("error", () => {});
});
server.listen({ port: 0, host: "127.0.0.1" });
await new Promise((r) => server.once("listening", r));
const { port } = server.address();
const message = Buffer.alloc(64, 97);

function client(i) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.setNoDelay(true);
    let left = rounds;
    let got = 0;
    s.on("connect", () => s.write(message));
    s.on("data", (d) => {
      got += d.length;
      if (got < message.length) return;
      got -= message.length;
      if (--left > 0) s.write(message);
      else if (i % 2 === 0) s.end();
      else s.resetAndDestroy();
    });
    s.on("error", () => {});
    s.on("close", resolve);
  });
}
// A client that sends 1 MiB before reading anything: the borrowed echo's writes go partial and
// queue copies, which must be exact.
function slowClient() {
  return new Promise((resolve, reject) => {
    const payload = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 255;
    const s = net.connect(port, "127.0.0.1");
    const chunks = [];
    s.pause();
    s.on("connect", () => {
      s.write(payload);
      s.end();
      setTimeout(() => s.resume(), 200);
    });
    s.on("data", (d) => chunks.push(d));
    s.on("error", reject);
    s.on("close", () => {
      if (!Buffer.concat(chunks).equals(payload)) reject(new Error("slow echo differs"));
      else resolve();
    });
  });
}
await Promise.all(Array.from({ length: conns }, (_, i) => client(i)));
accepted = 0;
await slowClient();
server.close();
console.log(`echoed ${rounds} x ${conns}`);
