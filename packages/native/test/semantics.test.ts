/**
 * What protocols rely on, on the native transport: received Buffers are theirs to keep, each
 * connection runs in the async context it was listened in, and an environment of its own
 * (a worker thread) gets its own instance of the addon.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import * as net from "node:net";
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IListeningPort } from "../../core/src/index.ts";
import { createReactor, Factory, Protocol } from "../../core/src/index.ts";
import { available } from "../src/index.ts";

function portOf(port: IListeningPort): number {
  return (port.getHost() as unknown as { port: number }).port;
}

/** Keeps every Buffer it is given, as an accumulating decoder does. */
class Keeper extends Protocol {
  static all: Keeper[] = [];
  kept: Buffer[] = [];
  snapshots: Buffer[] = [];
  override connectionMade(): void {
    Keeper.all.push(this);
  }
  override dataReceived(data: Buffer): void {
    this.kept.push(data);
    this.snapshots.push(Buffer.from(data));
    this.transport.write("k"); // one acknowledgement per chunk
  }
}

describe.runIf(available)("native transport semantics", () => {
  it("no protocol ever sees bytes it kept change (property, chunks down to one byte)", async () => {
    const reactor = createReactor({ transport: "native" });
    const port = await reactor.listenTCP(0, Factory.forProtocol(Keeper), {
      interface: "127.0.0.1",
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 70_000 }), {
          minLength: 1,
          maxLength: 12,
        }),
        async (chunks) => {
          // Another connection reads into the same slab meanwhile.
          const noise = net.connect(portOf(port), "127.0.0.1");
          const s = net.connect(portOf(port), "127.0.0.1");
          s.setNoDelay(true);
          await new Promise((r) => s.on("connect", r));
          for (const c of chunks) {
            s.write(c);
            noise.write(Buffer.alloc(c.length, 0xee));
            await new Promise((r) => s.once("data", r)); // the server got at least one chunk
          }
          s.destroy();
          noise.destroy();
          // Every Buffer any connection kept is unchanged after later reads used the slab.
          for (const p of Keeper.all)
            for (let i = 0; i < p.kept.length; i++)
              expect(p.kept[i]!.equals(p.snapshots[i]!)).toBe(true);
        },
      ),
      { numRuns: 15 },
    );
    expect(Keeper.all.length).toBeGreaterThan(15);
    await port.stopListening();
  });

  it("each connection runs in the async context of listen; microtasks run before the next callback", async () => {
    const als = new AsyncLocalStorage<string>();
    const reactor = createReactor({ transport: "native" });
    const seen: string[] = [];
    class Context extends Protocol {
      override dataReceived(data: Buffer): void {
        seen.push(`data:${als.getStore()}`);
        Promise.resolve().then(() => seen.push("microtask"));
        process.nextTick(() => seen.push("tick"));
        this.transport.write(data);
      }
    }
    const port = await als.run("listened", () =>
      reactor.listenTCP(0, Factory.forProtocol(Context), { interface: "127.0.0.1" }),
    );
    for (let i = 0; i < 2; i++) {
      const s = net.connect(portOf(port), "127.0.0.1");
      await new Promise((r) => s.on("connect", r));
      s.write("x");
      await new Promise((r) => s.once("data", r));
      s.destroy();
    }
    expect(seen).toEqual([
      "data:listened",
      "tick",
      "microtask",
      "data:listened",
      "tick",
      "microtask",
    ]);
    await port.stopListening();
  });

  it("works in a worker thread, beside the main thread's instance", async () => {
    const url = new URL("../dist/index.js", import.meta.url).href;
    const worker = new Worker(
      `import(${JSON.stringify(url)}).then(({ createServer }) => {
         const { parentPort } = require("node:worker_threads");
         const s = createServer();
         s.on("connection", (c) => { c.on("data", (d) => c.write(d)); c.on("end", () => c.end()); });
         s.on("listening", () => parentPort.postMessage(s.address().port));
         s.listen({ port: 0, host: "127.0.0.1" });
         parentPort.on("message", () => s.close(() => parentPort.postMessage("closed")));
       });`,
      { eval: true },
    );
    const port = await new Promise<number>((r) => worker.once("message", r));
    const got = await new Promise<string>((resolve) => {
      let out = "";
      const s = net.connect(port, "127.0.0.1", () => s.end("from main"));
      s.on("data", (d) => (out += d));
      s.on("close", () => resolve(out));
    });
    expect(got).toBe("from main");
    worker.postMessage("stop");
    expect(await new Promise((r) => worker.once("message", r))).toBe("closed");
    await worker.terminate();
  });
});
