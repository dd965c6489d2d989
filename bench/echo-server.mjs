// The Torsion echo server for the echo benchmark (../shared/bench/run-echo.sh): Echo, which
// writes back what it receives, listening on 127.0.0.1 with the port as first argument.
// The protocol is @torsion/echo's Echo, for `torsion` and `torsion-native` alike (it takes
// borrowed data where the transport lends it: native does, portable ignores it).
// Run `pnpm build` first: it imports the built packages.
// Usage: node echo-server.mjs PORT
import { Factory, reactor, serverFromString } from "../packages/core/dist/index.js";
import { Echo } from "../packages/echo/dist/index.js";

const port = Number(process.argv[2]);
if (!Number.isInteger(port)) {
  console.error("usage: node echo-server.mjs PORT");
  process.exit(2);
}
// Started through an endpoint, as a user would; the same backlog as the node:net peer, so that
// bursts of connections are compared fairly.
await serverFromString(reactor, `tcp:${port}:interface=127.0.0.1:backlog=1024`).listen(
  Factory.forProtocol(Echo),
);
console.error(`torsion echo listening on 127.0.0.1:${port}`);
await reactor.run();
process.exit(0);
