// Line splitting: @torsion/basic's LineReceiver and LineDecoder against node:readline over a
// stream, split2, and a plain Buffer.indexOf loop over the same bytes (the floor).
// Run with `pnpm bench lines` (builds first) or `node --expose-gc bench/lines.bench.mjs`.
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import split2 from "split2";
import {
  basicEntry,
  bestTime,
  chunksOf,
  countDecoded,
  nullTransport,
  printTable,
  sizeLabel,
} from "./lib.mjs";

const { Accumulator, LineDecoder, LineReceiver } = await import(basicEntry());

const CRLF = Buffer.from("\r\n");
const RUNS = 15;

/** Best wall time of `fn()` over RUNS runs, in seconds. */
const time = (fn) => bestTime(fn, RUNS);

class Counter extends LineReceiver {
  count = 0;
  bytes = 0;
  lineReceived(line) {
    this.count++;
    this.bytes += line.length;
  }
}

const impls = {
  LineReceiver(chunks, maxLength) {
    const p = new Counter();
    p.MAX_LENGTH = maxLength;
    p.makeConnection(nullTransport());
    for (let i = 0; i < chunks.length; i++) p.dataReceived(chunks[i]);
    return p.count;
  },
  LineDecoder(chunks, maxLength) {
    return countDecoded(new LineDecoder({ maxLength }), new Accumulator(), chunks);
  },
  async readline(chunks) {
    const rl = createInterface({
      input: Readable.from(chunks, { objectMode: false }),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let n = 0;
    for await (const _ of rl) n++;
    return n;
  },
  split2(chunks) {
    return new Promise((resolve, reject) => {
      let n = 0;
      Readable.from(chunks, { objectMode: false })
        .pipe(split2(/\r\n/))
        .on("data", () => n++)
        .on("end", () => resolve(n))
        .on("error", reject);
    });
  },
};

// The floors scan one contiguous buffer (no chunks) with the fastest use of Buffer.indexOf we
// know: a single-byte search for LF (memchr, ~8 ns a call), then a check for the CR before it.
// (A sequence needle, `indexOf(CRLF)`, costs ~45 ns a call: too slow to be a floor.)
const LF = 0x0a;
const CR = 0x0d;
/** Node's own Buffer view constructor: the cheapest way to hand out a Buffer per line. */
const FastBuffer = Buffer[Symbol.species];

/** The floor: indexOf over one contiguous buffer, handing out a Buffer view per line. */
function floorViews(whole) {
  let n = 0;
  let from = 0;
  const ab = whole.buffer;
  const base = whole.byteOffset;
  for (let i = whole.indexOf(LF, 1); i >= 0; i = whole.indexOf(LF, i + 1)) {
    if (whole[i - 1] !== CR) continue;
    const line = new FastBuffer(ab, base + from, i - 1 - from);
    n += line.length >= 0 ? 1 : 0;
    from = i + 1;
  }
  return n;
}

/** Below the floor: indexOf alone, no line handed out. */
function floorScan(whole) {
  let n = 0;
  for (let i = whole.indexOf(LF, 1); i >= 0; i = whole.indexOf(LF, i + 1))
    if (whole[i - 1] === CR) n++;
  return n;
}

const floors = new Map();
async function floorsOf(whole) {
  if (!floors.has(whole)) {
    floors.set(whole, {
      "floor: indexOf + view": await time(() => floorViews(whole)),
      "floor: indexOf only": await time(() => floorScan(whole)),
    });
  }
  return floors.get(whole);
}

async function suite(label, whole, chunkSize, expected, maxLength) {
  const chunks = chunksOf(whole, chunkSize);
  const mb = whole.length / 1e6;
  const rows = [];
  const results = {};
  for (const [name, fn] of Object.entries(impls)) {
    let n = 0;
    const t = await time(async () => {
      n = await fn(chunks, maxLength);
    });
    if (n !== expected) throw new Error(`${name} found ${n} lines, expected ${expected}`);
    results[name] = t;
  }
  Object.assign(results, await floorsOf(whole));
  for (const [name, t] of Object.entries(results)) {
    rows.push({
      input: label,
      chunk: sizeLabel(chunkSize),
      implementation: name,
      "lines/s": expected / t,
      "MB/s": mb / t,
      "× readline": results.readline / t,
      "× split2": results.split2 / t,
      "÷ floor (views)": t / results["floor: indexOf + view"],
      "÷ floor (scan)": t / results["floor: indexOf only"],
    });
  }
  return rows;
}

// 52-byte lines: 50 printable bytes and CRLF.
const LINES = 100_000;
const line52 = Buffer.from(`${"abcdefghij".repeat(5)}\r\n`);
const short = Buffer.concat(Array.from({ length: LINES }, () => line52));

// 4 MiB lines.
const BIG = 4 * 1024 * 1024;
const bigLine = Buffer.concat([Buffer.alloc(BIG - 2, "y"), CRLF]);
const big = Buffer.concat(Array.from({ length: 8 }, () => bigLine));

const rows = [];
for (const size of [16, 1024, 65536])
  rows.push(...(await suite("52 B lines", short, size, LINES, 16384)));
rows.push(...(await suite("4 MiB lines", big, 65536, 8, BIG)));
printTable(rows);

// Linearity: one long line in 1 KiB chunks, at 0.16 MB and 1.6 MB. Linear code takes ~10x as
// long for 10x the bytes; quadratic code (Twisted's `buffer += data; buffer.split(...)`,
// mimicked by "concat + rescan") takes ~100x.
function longLine(bytes) {
  return chunksOf(Buffer.concat([Buffer.alloc(bytes, "z"), CRLF]), 1024);
}
function naive(chunks) {
  let buffer = Buffer.alloc(0);
  let n = 0;
  for (const c of chunks) {
    buffer = Buffer.concat([buffer, c]);
    const i = buffer.indexOf(CRLF);
    if (i >= 0) {
      n++;
      buffer = buffer.subarray(i + 2);
    }
  }
  return n;
}
const lin = [];
for (const bytes of [160_000, 1_600_000]) {
  const chunks = longLine(bytes);
  lin.push({
    "line bytes (1 KiB chunks)": bytes,
    "LineReceiver ms": 1000 * (await time(() => impls.LineReceiver(chunks, 2_000_000))),
    "concat + rescan ms": 1000 * (await time(() => naive(chunks))),
  });
}
console.log("\nLong-line linearity:\n");
printTable(lin);
