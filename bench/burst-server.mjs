// The server for burst.bench.mjs: @torsion/echo's Echo on a `tcp:` endpoint on 127.0.0.1,
// with the endpoint's default backlog unless a second argument gives one.
// Prints "PORT <n>" once listening. Imports the built packages (dist/).
// Usage: node burst-server.mjs [BACKLOG]
import { Factory, reactor, serverFromString } from "../packages/core/dist/index.js";
import { Echo } from "../packages/echo/dist/index.js";

const backlog = process.argv[2] === undefined ? "" : `:backlog=${process.argv[2]}`;
const f = Factory.forProtocol(Echo);
f.noisy = false;
const port = await serverFromString(reactor, `tcp:0:interface=127.0.0.1${backlog}`).listen(f);
console.log(`PORT ${port.getHost().port}`);
await reactor.run();
