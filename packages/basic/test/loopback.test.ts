/**
 * LineReceiver over real loopback sockets: the Torsion reactor serves, a plain `node:net`
 * socket is the peer (so the client side adds nothing of ours to the measurement).
 */
import { connect, type Socket } from "node:net";
import type { Failure, IListeningPort } from "@torsion/core";
import { createReactor, Factory } from "@torsion/core";
import { afterEach, describe, expect, it } from "vitest";
import { LineReceiver } from "../src/line-receiver.ts";

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
    const s = connect({ host: "127.0.0.1", port: portNumber }, () => resolve(s));
    s.once("error", reject);
  });
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
    class Server extends LineReceiver {
      override lineReceived(): void {}
      override lineLengthExceeded(line: Buffer): void {
        exceeded = line.length;
        super.lineLengthExceeded(line);
      }
      override connectionLost(reason: Failure): void {
        lost = reason;
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
    await new Promise((r) => setTimeout(r, 10));
    expect(lost).toBeDefined();
  }, 60_000);
});
