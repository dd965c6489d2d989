// A server for memory.bench.mjs: `echo` (@torsion/echo's Echo), `timestamp`
// (@torsion/timestamp's Timestamp) or `lines` (a @torsion/basic LineReceiver answering each
// line with sendLine), listening on 127.0.0.1, flow control left at its defaults.
// Prints "PORT <n>" once listening. Imports the built packages (dist/).
// Usage: node memory-server.mjs echo|timestamp|lines
import { LineReceiver } from "../packages/basic/dist/index.js";
import { Factory, reactor } from "../packages/core/dist/index.js";
import { Echo } from "../packages/echo/dist/index.js";
import { Timestamp } from "../packages/timestamp/dist/index.js";

class LineEcho extends LineReceiver {
  lineReceived(line) {
    this.sendLine(line);
  }
}

const kinds = { echo: Echo, timestamp: Timestamp, lines: LineEcho };
const P = kinds[process.argv[2]];
if (P === undefined) {
  console.error("usage: node memory-server.mjs echo|timestamp|lines");
  process.exit(2);
}
const f = Factory.forProtocol(P);
f.noisy = false;
const port = await reactor.listenTCP(0, f, { interface: "127.0.0.1" });
console.log(`PORT ${port.getHost().port}`);
await reactor.run();
