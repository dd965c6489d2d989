import { createHash } from "node:crypto";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReactor, type IListeningPort, type LogEvent, serverFromString } from "@torsion/core";
import { formatEvent, globalLogPublisher } from "@torsion/core/logger";
import { ThreadPool } from "@torsion/threads";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CmdFactory, makeDemoLog } from "./cmd-server.ts";

const reactor = createReactor();
const root = mkdtempSync(join(tmpdir(), "torsion-cmd-server-"));
const allowed = join(root, "allowed");
mkdirSync(allowed);
writeFileSync(join(allowed, "data.txt"), "some data to hash\n");
writeFileSync(join(root, "outside.txt"), "secret\n");
symlinkSync(join(root, "outside.txt"), join(allowed, "link-out.txt"));
const logFile = makeDemoLog(join(root, "demo.log"));
const pool = new ThreadPool({ maxThreads: 2 });

const events: LogEvent[] = [];
const observer = (e: LogEvent): void => {
  if (e.log_namespace === "cmd-server") events.push(e);
};
beforeAll(() => globalLogPublisher.addObserver(observer));
afterAll(async () => {
  globalLogPublisher.removeObserver(observer);
  await pool.stop();
  rmSync(root, { recursive: true, force: true });
});

/** A raw node:net client that accumulates what it receives. */
async function connect(port: number) {
  const socket = net.connect({ host: "127.0.0.1", port });
  await once(socket, "connect");
  let received = "";
  let closed = false;
  socket.setEncoding("utf8");
  socket.on("data", (d: string) => {
    received += d;
  });
  const closing = once(socket, "close").then(() => {
    closed = true;
  });
  return {
    socket,
    /** Everything received once it contains `text` (fails if the connection closes first). */
    async until(text: string): Promise<string> {
      while (!received.includes(text)) {
        if (closed)
          throw new Error(
            `connection closed before ${JSON.stringify(text)}; got ${JSON.stringify(received)}`,
          );
        await Promise.race([once(socket, "data"), closing]);
      }
      return received;
    },
    /** Send a command and return the reply: everything received after it, up to and including `end`. */
    async command(cmd: string, end = "\n"): Promise<string> {
      const from = received.length;
      socket.write(`${cmd}\n`);
      while (!received.slice(from).includes(end)) {
        if (closed)
          throw new Error(`connection closed during ${cmd}; got ${JSON.stringify(received)}`);
        await Promise.race([once(socket, "data"), closing]);
      }
      return received.slice(from);
    },
    closed: () => closing,
  };
}

function logged(): string[] {
  return events.map((e) => `[${String(e.log_system)}] ${formatEvent(e)}`);
}

describe("cmd-server example", () => {
  let port: IListeningPort | undefined;
  let factory: CmdFactory;
  let portNumber = 0;

  async function listen(
    options: Partial<ConstructorParameters<typeof CmdFactory>[0]> = {},
  ): Promise<void> {
    factory = new CmdFactory({ logFile, allowedDir: allowed, maxClients: 2, pool, ...options });
    port = await serverFromString(reactor, "tcp:0:interface=127.0.0.1").listen(factory);
    portNumber = (port.getHost() as unknown as { port: number }).port;
  }
  afterEach(async () => {
    await port?.stopListening();
    events.length = 0;
  });

  it("answers unknown commands, logs each command with the per-connection prefix, and closes on exit", async () => {
    await listen();
    const c = await connect(portNumber);
    expect(await c.command("test")).toBe("Command not found.\n");
    expect(await c.command("   ")).toBe("Command not found.\n");
    c.socket.write("exit\r\n");
    await c.closed();
    await expect
      .poll(() => logged().some((l) => l.includes("Lost client connection.")), { timeout: 15_000 })
      .toBe(true);
    const lines = logged();
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\[CmdProtocol,\d+,127\.0\.0\.1\] Client connection from 127\.0\.0\.1$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\[CmdProtocol,\d+,127\.0\.0\.1\] Cmd received from 127\.0\.0\.1 : test$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\[CmdProtocol,\d+,127\.0\.0\.1\] Cmd received from 127\.0\.0\.1 : exit$/,
      ),
    );
    expect(factory.clients.size).toBe(0);
  });

  it("allows at most maxClients; the next is dropped with 'Too many connections. bye !'", async () => {
    await listen();
    const a = await connect(portNumber);
    const b = await connect(portNumber);
    expect(await a.command("x")).toBe("Command not found.\n");
    expect(await b.command("x")).toBe("Command not found.\n");
    const c = await connect(portNumber);
    await c.closed();
    expect(logged()).toContainEqual(
      expect.stringMatching(/^\[CmdProtocol,\d+,127\.0\.0\.1\] Too many connections\. bye !$/),
    );
    expect(factory.clients.size).toBe(2);
    // Once a client leaves, there is room again.
    a.socket.write("exit\n");
    await a.closed();
    await expect.poll(() => factory.clients.size, { timeout: 15_000 }).toBe(1);
    const d = await connect(portNumber);
    expect(await d.command("x")).toBe("Command not found.\n");
    b.socket.destroy();
    d.socket.destroy();
  });

  it("lastlog streams the last 10 lines through tail, framed by Begin/End lastlog", async () => {
    await listen();
    const c = await connect(portNumber);
    const reply = await c.command("lastlog", "End lastlog\n");
    const expected = Array.from({ length: 10 }, (_, i) => `demo log line ${i + 16}\n`).join("");
    expect(reply).toBe(`Begin lastlog\n${expected}End lastlog\n`);
    c.socket.destroy();
  });

  it("lastlog relays output that arrives in several chunks, intact", async () => {
    // 10 lines of 24 KiB: 240 KiB cannot come through a pipe in one read (64 KiB at most).
    const big = join(root, "big.log");
    const lines = Array.from(
      { length: 12 },
      (_, i) => `${String(i).padStart(2, "0")}${"x".repeat(24 * 1024)}\n`,
    );
    writeFileSync(big, lines.join(""));
    await listen({ logFile: big });
    const c = await connect(portNumber);
    const reply = await c.command("lastlog", "End lastlog\n");
    expect(reply).toBe(`Begin lastlog\n${lines.slice(2).join("")}End lastlog\n`);
    c.socket.destroy();
  });

  it("lastlog on a missing log file reports tail's error inside the frame", async () => {
    await listen({ logFile: join(root, "no-such.log") });
    const c = await connect(portNumber);
    const reply = await c.command("lastlog", "End lastlog\n");
    expect(reply).toMatch(/^Begin lastlog\nAn error occured : .*no-such\.log.*\nEnd lastlog\n$/s);
    c.socket.destroy();
  });

  it("comphash computes a file's SHA-1 in a worker thread", async () => {
    await listen();
    const c = await connect(portNumber);
    const hex = createHash("sha1").update("some data to hash\n").digest("hex");
    expect(await c.command("comphash data.txt")).toBe(`File hash is : ${hex}\n`);
    expect(await c.command(`comphash ${join(allowed, "data.txt")}`)).toBe(
      `File hash is : ${hex}\n`,
    );
    c.socket.destroy();
  });

  it("comphash reports a missing file and a directory as errors", async () => {
    await listen();
    const c = await connect(portNumber);
    expect(await c.command("comphash nope.txt")).toBe(
      "An error occured : no such file: nope.txt\n",
    );
    expect(await c.command("comphash .")).toMatch(/^An error occured : EISDIR/);
    expect(await c.command("comphash")).toBe("An error occured : usage: comphash <path>\n");
    c.socket.destroy();
  });

  it("comphash refuses paths outside the allowed directory, symlinks included", async () => {
    await listen();
    const c = await connect(portNumber);
    expect(await c.command("comphash ../outside.txt")).toBe(
      "An error occured : ../outside.txt is outside the allowed directory\n",
    );
    expect(await c.command(`comphash ${join(root, "outside.txt")}`)).toContain(
      "is outside the allowed directory",
    );
    expect(await c.command("comphash link-out.txt")).toBe(
      "An error occured : link-out.txt is outside the allowed directory\n",
    );
    c.socket.destroy();
  });
});
