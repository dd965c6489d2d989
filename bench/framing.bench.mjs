// Length-framed messages: NetstringReceiver and Int32StringReceiver (and their decoders alone)
// in messages/s, fed in 16 B and 1 KiB chunks.
// Run with `pnpm bench framing` (builds first) or `node --expose-gc bench/framing.bench.mjs`.
import {
  Accumulator,
  encodeIntPrefixed,
  encodeNetstring,
  Int32StringReceiver,
  IntPrefixDecoder,
  NetstringDecoder,
  NetstringReceiver,
} from "../packages/basic/dist/index.js";
import { printTable } from "./lib.mjs";

const RUNS = 15;
const MESSAGES = 100_000;

/** Best wall time of `fn()` over RUNS runs after two warm-ups, in seconds. */
function time(fn) {
  fn();
  fn();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

function chunk(buf, size) {
  const out = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

function nullTransport() {
  return {
    disconnecting: false,
    write() {},
    writeSequence() {},
    loseConnection() {
      this.disconnecting = true;
    },
    getPeer() {},
    getHost() {},
    pauseProducing() {},
    resumeProducing() {},
    stopProducing() {},
  };
}

class NetCounter extends NetstringReceiver {
  count = 0;
  stringReceived() {
    this.count++;
  }
}
class Int32Counter extends Int32StringReceiver {
  count = 0;
  stringReceived() {
    this.count++;
  }
}

function viaProtocol(Klass) {
  return (chunks) => {
    const p = new Klass();
    p.makeConnection(nullTransport());
    for (let i = 0; i < chunks.length; i++) p.dataReceived(chunks[i]);
    return p.count;
  };
}

function viaDecoder(make) {
  return (chunks) => {
    const d = make();
    const acc = new Accumulator();
    let n = 0;
    for (let i = 0; i < chunks.length; i++) {
      acc.push(chunks[i]);
      while (d.decode(acc) !== undefined) n++;
    }
    return n;
  };
}

const rows = [];
for (const payloadSize of [32, 1000]) {
  const payload = Buffer.alloc(payloadSize, "p");
  const cases = [
    ["netstring", encodeNetstring(payload), viaProtocol(NetCounter), "NetstringReceiver"],
    [
      "netstring",
      encodeNetstring(payload),
      viaDecoder(() => new NetstringDecoder()),
      "NetstringDecoder",
    ],
    ["int32", encodeIntPrefixed(payload, 4), viaProtocol(Int32Counter), "Int32StringReceiver"],
    [
      "int32",
      encodeIntPrefixed(payload, 4),
      viaDecoder(() => new IntPrefixDecoder({ prefixLength: 4 })),
      "IntPrefixDecoder(4)",
    ],
  ];
  for (const [format, one, fn, name] of cases) {
    const count = payloadSize > 100 ? MESSAGES / 10 : MESSAGES;
    const whole = Buffer.concat(Array.from({ length: count }, () => one));
    for (const size of [16, 1024]) {
      const chunks = chunk(whole, size);
      let n = 0;
      const t = time(() => {
        n = fn(chunks);
      });
      if (n !== count) throw new Error(`${name} decoded ${n} messages, expected ${count}`);
      rows.push({
        format,
        payload: `${payloadSize} B`,
        chunk: size >= 1024 ? `${size / 1024} KiB` : `${size} B`,
        implementation: name,
        "messages/s": count / t,
        "MB/s": whole.length / 1e6 / t,
      });
    }
  }
}
printTable(rows);
