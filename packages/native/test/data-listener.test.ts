/**
 * NativeSocket's direct data path and its listener table, over loopback: `setDataListener`
 * replaces the `data` event for its listener while `data` listeners still get every chunk;
 * borrowed chunks are views of one reused buffer; the EventEmitter methods behave as on any
 * emitter (`once`, `removeListener`, `listenerCount`, `eventNames`).
 */
import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { available, createServer, type NativeSocket } from "../src/index.ts";

async function accepted(): Promise<{ socket: NativeSocket; client: net.Socket; close(): void }> {
  const server = createServer();
  const got = new Promise<NativeSocket>((r) => server.once("connection", r));
  server.listen({ port: 0, host: "127.0.0.1" });
  await new Promise((r) => server.once("listening", r));
  const { port } = server.address() as { port: number };
  const client = net.connect(port, "127.0.0.1");
  client.setNoDelay(true);
  const socket = await got;
  return {
    socket,
    client,
    close: () => {
      client.destroy();
      socket.destroy();
      server.close();
    },
  };
}

describe.runIf(available)("NativeSocket data listener", () => {
  it("a direct listener and data listeners each get every chunk, in order", async () => {
    const { socket, client, close } = await accepted();
    const direct: string[] = [];
    const events: string[] = [];
    socket.setDataListener(function (this: NativeSocket, chunk) {
      expect(this).toBe(socket);
      direct.push(chunk.toString());
      this.write(chunk);
    }, false);
    socket.on("data", (chunk: Buffer) => events.push(chunk.toString()));
    for (const word of ["one", "two", "three"]) {
      client.write(word);
      await new Promise((r) => client.once("data", r));
    }
    expect(direct).toEqual(["one", "two", "three"]);
    expect(events).toEqual(direct);
    close();
  });

  it("borrowed chunks are views of one reused buffer; owned ones are not", async () => {
    const { socket, client, close } = await accepted();
    const borrowed: Buffer[] = [];
    socket.setDataListener((chunk) => {
      expect(Buffer.isBuffer(chunk)).toBe(true);
      borrowed.push(chunk);
      socket.write(chunk);
    }, true);
    client.write("abcd");
    await new Promise((r) => client.once("data", r));
    client.write("wxyz");
    const echo = await new Promise<Buffer>((r) => client.once("data", r));
    expect(echo.toString()).toBe("wxyz");
    // The same memory both times: the first view now shows the second read.
    expect(borrowed[0]!.buffer).toBe(borrowed[1]!.buffer);
    expect(borrowed[0]!.toString()).toBe("wxyz");
    // Back to owned chunks: a kept one stays as it was.
    const owned: Buffer[] = [];
    socket.setDataListener((chunk) => {
      owned.push(chunk);
      socket.write(chunk);
    }, false);
    client.write("1234");
    await new Promise((r) => client.once("data", r));
    client.write("5678");
    await new Promise((r) => client.once("data", r));
    expect(owned.map(String)).toEqual(["1234", "5678"]);
    close();
  });

  it("the listener table behaves as an EventEmitter's", async () => {
    const { socket, close } = await accepted();
    expect(socket.eventNames()).toEqual([]);
    const calls: string[] = [];
    const onEnd = (): void => void calls.push("end");
    socket.on("end", onEnd);
    socket.once("finish", () => calls.push("finish"));
    socket.on("custom", () => calls.push("custom"));
    expect(socket.listenerCount("end")).toBe(1);
    expect(socket.eventNames().sort()).toEqual(["custom", "end", "finish"]);
    expect(socket.emit("finish")).toBe(true);
    expect(socket.emit("finish")).toBe(false);
    socket.removeListener("end", onEnd);
    expect(socket.emit("end")).toBe(false);
    expect(socket.emit("constructor")).toBe(false);
    expect(socket.emit("custom")).toBe(true);
    expect(calls).toEqual(["finish", "custom"]);
    expect(socket.eventNames()).toEqual(["custom"]);
    close();
  });
});
