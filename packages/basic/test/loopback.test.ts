/**
 * The protocols over real loopback sockets: the Torsion reactor serves, a plain `node:net`
 * socket is the peer (so the client side adds nothing of ours).
 */
import { connect, type Socket } from "node:net";
import type { Failure, IListeningPort } from "@torsion/core";
import { createReactor, Factory } from "@torsion/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  encodeIntPrefixed,
  encodeNetstring,
  Int32StringReceiver,
  LineOnlyReceiver,
  LineReceiver,
  NetstringReceiver,
} from "../src/index.ts";

const reactor = createReactor();
let port: IListeningPort | undefined;

afterEach(async () => {
  await port?.stopListening();
  port = undefined;
});

async function listen(factory: Factory): Promise<number> {
  port = await reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  return (port.getHost() as unknown as { port: number }).port;
}

function dial(portNumber: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port: portNumber, noDelay: true }, () => resolve(s));
    s.once("error", reject);
  });
}

/** Write `pieces` one by one, each in its own `write`, and resolve with everything received once `done(received)` holds. */
async function exchange(
  s: Socket,
  pieces: readonly (string | Buffer)[],
  done: (received: Buffer) => boolean,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const finished = new Promise<Buffer>((resolve, reject) => {
    s.on("data", (d: Buffer) => {
      chunks.push(d);
      const all = Buffer.concat(chunks);
      if (done(all)) resolve(all);
    });
    s.once("close", () => reject(new Error(`closed; got ${Buffer.concat(chunks).toString()}`)));
  });
  for (const piece of pieces) {
    s.write(piece);
    // Let each piece reach the server on its own (not required for correctness).
    await new Promise((r) => setImmediate(r));
  }
  return finished;
}

/** Split `bytes` into pieces of `size` (the last may be shorter). */
function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

class Echo extends LineReceiver {
  override lineReceived(line: Buffer): void {
    this.sendLine(Buffer.concat([Buffer.from("echo: "), line]));
  }
}

describe("LineReceiver over loopback", () => {
  it("answers lines sent in arbitrary pieces", async () => {
    const n = await listen(Factory.forProtocol(Echo));
    const s = await dial(n);
    let got = "";
    const done = new Promise<void>((resolve) => {
      s.on("data", (d: Buffer) => {
        got += d.toString();
        if (got.split("\r\n").length > 3) resolve();
      });
    });
    // Pieces that split the delimiter and put two lines in one write.
    for (const piece of ["hel", "lo\r", "\nwor", "ld\r\nbye\r", "\n"]) {
      s.write(piece);
      await new Promise((r) => setTimeout(r, 5));
    }
    await done;
    expect(got).toBe("echo: hello\r\necho: world\r\necho: bye\r\n");
    s.destroy();
  });

  it("closes a connection fed 1 GiB without a newline long before it is all sent, with bounded memory", async () => {
    let lost: Failure | undefined;
    let exceeded = 0;
    let resolveLost!: () => void;
    const lostP = new Promise<void>((resolve) => {
      resolveLost = resolve;
    });
    class Server extends LineReceiver {
      override lineReceived(): void {}
      override lineLengthExceeded(line: Buffer): void {
        exceeded = line.length;
        super.lineLengthExceeded(line);
      }
      override connectionLost(reason: Failure): void {
        lost = reason;
        resolveLost();
      }
    }
    const n = await listen(Factory.forProtocol(Server));
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const before = process.memoryUsage();
    const s = await dial(n);
    const chunk = Buffer.alloc(1 << 20, "x"); // 1 MiB, reused: the peer holds no growing state
    const GiB = 1 << 30;
    let sent = 0;
    let closed = false;
    const closedP = new Promise<void>((resolve) => {
      s.once("close", () => {
        closed = true;
        resolve();
      });
    });
    s.on("error", () => {}); // EPIPE / ECONNRESET once the server is gone: expected
    while (!closed && sent < GiB) {
      const ok = s.write(chunk);
      sent += chunk.length;
      if (!ok) await Promise.race([new Promise((r) => s.once("drain", r)), closedP]);
    }
    await closedP;
    gc?.();
    const after = process.memoryUsage();

    expect(exceeded).toBeGreaterThanOrEqual(16384 + 2); // MAX_LENGTH + delimiter length, at least
    expect(exceeded).toBeLessThanOrEqual(16384 + 2 + (1 << 20)); // ... plus at most one chunk
    expect(closed).toBe(true);
    expect(sent).toBeLessThan(GiB / 8); // kernel and socket buffers absorb a few MiB at most
    // Our part of the heap does not grow with the input: the server dropped it.
    const growth = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    expect(growth).toBeLessThan(64 * (1 << 20));
    await lostP;
    expect(lost).toBeDefined();
  }, 60_000);

  it("closes only the connection whose lineReceived threw; the others go on", async () => {
    class Picky extends LineReceiver {
      override lineReceived(line: Buffer): void {
        if (line.toString() === "boom") throw new Error("bug in lineReceived");
        this.sendLine(line);
      }
    }
    const n = await listen(Factory.forProtocol(Picky));
    const good = await dial(n);
    const bad = await dial(n);
    const badClosed = new Promise<void>((resolve) => bad.once("close", () => resolve()));
    bad.on("error", () => {});
    bad.write("boom\r\n");
    await badClosed;
    const got = await exchange(good, ["still\r\n"], (b) => b.toString().endsWith("\r\n"));
    expect(got.toString()).toBe("still\r\n");
    good.destroy();
  });
});

describe("the other receivers over loopback, fed one byte per write", () => {
  it("LineOnlyReceiver", async () => {
    class Upper extends LineOnlyReceiver {
      override delimiter = "\n";
      override lineReceived(line: Buffer): void {
        this.sendLine(line.toString().toUpperCase());
      }
    }
    const n = await listen(Factory.forProtocol(Upper));
    const s = await dial(n);
    const got = await exchange(s, pieces(Buffer.from("ab\ncd\n"), 1), (b) => b.length >= 6);
    expect(got.toString()).toBe("AB\nCD\n");
    s.destroy();
  });

  it("NetstringReceiver", async () => {
    class Reverse extends NetstringReceiver {
      override stringReceived(data: Buffer): void {
        this.sendString(Buffer.from(data).reverse());
      }
    }
    const n = await listen(Factory.forProtocol(Reverse));
    const s = await dial(n);
    const input = Buffer.concat([encodeNetstring("abc"), encodeNetstring("")]);
    const expected = Buffer.concat([encodeNetstring("cba"), encodeNetstring("")]);
    const got = await exchange(s, pieces(input, 1), (b) => b.length >= expected.length);
    expect(got).toEqual(expected);
    s.destroy();
  });

  it("NetstringReceiver closes the connection on a bad netstring", async () => {
    class Quiet extends NetstringReceiver {
      override stringReceived(): void {}
    }
    const n = await listen(Factory.forProtocol(Quiet));
    const s = await dial(n);
    s.on("error", () => {});
    const closed = new Promise<void>((resolve) => s.once("close", () => resolve()));
    s.write("01:a,");
    await closed;
  });

  it("Int32StringReceiver", async () => {
    class Count extends Int32StringReceiver {
      override stringReceived(data: Buffer): void {
        this.sendString(String(data.length));
      }
    }
    const n = await listen(Factory.forProtocol(Count));
    const s = await dial(n);
    const input = Buffer.concat([
      encodeIntPrefixed(Buffer.alloc(300), 4),
      encodeIntPrefixed("", 4),
    ]);
    const expected = Buffer.concat([encodeIntPrefixed("300", 4), encodeIntPrefixed("0", 4)]);
    const got = await exchange(s, pieces(input, 1), (b) => b.length >= expected.length);
    expect(got).toEqual(expected);
    s.destroy();
  });
});
