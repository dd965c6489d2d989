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
server.on("connection", (c) => {
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
await Promise.all(Array.from({ length: conns }, (_, i) => client(i)));
server.close();
console.log(`echoed ${rounds} x ${conns}`);
