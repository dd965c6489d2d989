/**
 * `NativeSocket#write(data, callback)`, as `net.Socket`'s: each callback runs once its chunk
 * was handed to the kernel, in order, never inside `write`; chunks queued behind a slow peer are
 * reported one by one (which is what lets flow control resume at its low-water mark), and a
 * socket closed first reports an error.
 */
import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { available, createServer, type NativeSocket } from "../src/index.ts";

function listening(): Promise<{ port: number; accepted: Promise<NativeSocket>; close(): void }> {
  const server = createServer();
  const accepted = new Promise<NativeSocket>((resolve) => server.once("connection", resolve));
  server.listen({ port: 0, host: "127.0.0.1" });
  return new Promise((resolve) =>
    server.once("listening", () =>
      resolve({
        port: (server.address() as { port: number }).port,
        accepted,
        close: () => server.close(),
      }),
    ),
  );
}

describe.runIf(available)("native write callbacks", () => {
  it("run in order, after the write, as each chunk leaves, down to an empty buffer", async () => {
    const { port, accepted, close } = await listening();
    const client = net.connect(port, "127.0.0.1");
    client.pause(); // does not read until everything is queued
    const socket = await accepted;
    const chunk = Buffer.alloc(256 * 1024, 7);
    const count = 64; // 16 MiB: more than the kernel's buffers hold
    const seen: { index: number; queued: number }[] = [];
    let inWrite = false;
    for (let i = 0; i < count; i++) {
      inWrite = true;
      socket.write(chunk, (error) => {
        expect(inWrite).toBe(false);
        expect(error ?? null).toBeNull();
        seen.push({ index: i, queued: socket.writableLength });
      });
      inWrite = false;
    }
    expect(socket.writableLength).toBeGreaterThan(0);
    let received = 0;
    const all = new Promise<void>((resolve) =>
      client.on("data", (d: Buffer) => {
        received += d.length;
        if (received === count * chunk.length) resolve();
      }),
    );
    client.resume();
    await all;
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.map((s) => s.index)).toEqual([...Array(count).keys()]);
    for (let i = 1; i < seen.length; i++)
      expect(seen[i]!.queued).toBeLessThanOrEqual(seen[i - 1]!.queued);
    expect(seen.at(-1)!.queued).toBe(0);
    expect(seen.filter((s) => s.queued > 0).length).toBeGreaterThan(count / 2); // one by one
    client.destroy();
    socket.destroy();
    close();
  });

  it("a callback of a write that never left gets an error when the socket closes", async () => {
    const { port, accepted, close } = await listening();
    const client = net.connect(port, "127.0.0.1");
    client.pause();
    const socket = await accepted;
    const errors: (Error | null | undefined)[] = [];
    for (let i = 0; i < 64; i++) socket.write(Buffer.alloc(256 * 1024), (e) => errors.push(e));
    const closed = new Promise((resolve) => socket.once("close", resolve));
    socket.destroy();
    await closed;
    expect(errors).toHaveLength(64);
    expect(errors.at(-1)).toBeInstanceOf(Error);
    client.destroy();
    close();
  });
});
