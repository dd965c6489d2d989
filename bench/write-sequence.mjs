// Counts how a Torsion transport hands many small buffers to the kernel: run under
// `strace -f -c -e trace=write,writev` by tcp.bench.mjs. Connects to a discarding server in
// another process and writes ROUNDS sequences of COUNT buffers of SIZE bytes, either with one
// `writeSequence` per sequence ("sequence") or one `write` per buffer ("each").
// Usage: node write-sequence.mjs PORT sequence|each [ROUNDS] [COUNT] [SIZE]
import { ClientFactory, createReactor, Protocol } from "../packages/core/dist/index.js";

const [port, mode, rounds = "200", count = "100", size = "16"] = process.argv.slice(2);
const buffers = Array.from({ length: Number(count) }, (_, i) =>
  Buffer.alloc(Number(size), 97 + (i % 26)),
);
const reactor = createReactor();

class Writer extends Protocol {
  connectionMade() {
    let left = Number(rounds);
    const round = () => {
      if (mode === "sequence") this.transport.writeSequence(buffers);
      else for (const b of buffers) this.transport.write(b);
      // Next round on a later turn, after the socket wrote this one out: each round is a burst.
      if (--left > 0) setImmediate(round);
      else this.transport.loseConnection();
    };
    round();
  }
  connectionLost() {
    process.exit(0);
  }
}
const factory = new ClientFactory();
factory.buildProtocol = () => new Writer();
factory.clientConnectionFailed = (_c, reason) => {
  console.error(String(reason));
  process.exit(1);
};
reactor.connectTCP("127.0.0.1", Number(port), factory);
