// Length-framed messages: NetstringReceiver and Int32StringReceiver (and their decoders alone)
// in messages/s, fed in 16 B and 1 KiB chunks.
// Run with `pnpm bench framing` (builds first) or `node --expose-gc bench/framing.bench.mjs`.
import {
  basicEntry,
  bestTime,
  chunksOf,
  countDecoded,
  nullTransport,
  printTable,
  sizeLabel,
} from "./lib.mjs";

const {
  Accumulator,
  encodeIntPrefixed,
  encodeNetstring,
  Int32StringReceiver,
  IntPrefixDecoder,
  NetstringDecoder,
  NetstringReceiver,
} = await import(basicEntry());

const RUNS = 15;
const MESSAGES = 100_000;

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
  return (chunks) => countDecoded(make(), new Accumulator(), chunks);
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
      const chunks = chunksOf(whole, size);
      let n = 0;
      const t = await bestTime(() => {
        n = fn(chunks);
      }, RUNS);
      if (n !== count) throw new Error(`${name} decoded ${n} messages, expected ${count}`);
      rows.push({
        format,
        payload: `${payloadSize} B`,
        chunk: sizeLabel(size),
        implementation: name,
        "messages/s": count / t,
        "MB/s": whole.length / 1e6 / t,
      });
    }
  }
}
printTable(rows);
