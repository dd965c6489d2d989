// An echo server that serves one connection and exits when it closes, for instruction counts
// (callgrind-echo.mjs). Usage: one-connection-echo.mjs net|portable|native
// Prints the port on stdout once listening.
import * as net from "node:net";

const kind = process.argv[2];
if (kind === "net") {
  const server = net.createServer((c) => {
    c.on("data", (d) => c.write(d));
    c.on("end", () => c.end());
    c.on("close", () => server.close());
  });
  server.listen(0, "127.0.0.1", () => console.log(server.address().port));
} else {
  if (kind === "native") await import("../dist/index.js");
  const { createReactor, Factory } = await import("../../core/dist/index.js");
  const { Echo } = await import("../../echo/dist/index.js");
  const reactor = createReactor({ transport: kind === "native" ? "native" : "portable" });
  // @torsion/echo's Echo (it takes borrowed data on native), stopping after its connection.
  class OneEcho extends Echo {
    connectionLost() {
      reactor.stop();
    }
  }
  const port = await reactor.listenTCP(0, Factory.forProtocol(OneEcho), {
    interface: "127.0.0.1",
  });
  console.log(port.getHost().port);
  await reactor.run();
}
