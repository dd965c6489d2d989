import * as dgram from "node:dgram";
import { once } from "node:events";
import * as net from "node:net";
import { ConnectionRefusedError, Factory, TCP4ClientEndpoint } from "@torsion/core";
import { useLoopback } from "@torsion/test-utils";
import { describe, expect, it } from "vitest";
import { echo } from "../src/client.ts";
import { Discard, DiscardDatagram } from "../src/discard.ts";
import { Echo, EchoDatagram } from "../src/echo.ts";

const { reactor, listenTCP, listenUDP, stopLast } = useLoopback();

/** Send datagrams from a fresh socket; collect replies until `count` came or `ms` passed. */
async function exchange(
  port: number,
  datagrams: Buffer[],
  count: number,
  ms = 2000,
): Promise<Buffer[]> {
  const socket = dgram.createSocket("udp4");
  const replies: Buffer[] = [];
  socket.on("message", (m) => replies.push(m));
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
  for (const d of datagrams) socket.send(d, port, "127.0.0.1");
  const deadline = Date.now() + ms;
  while (replies.length < count && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  socket.close();
  return replies;
}

describe("Echo over loopback TCP", () => {
  it("echoes a large message back to the echo client", async () => {
    const n = await listenTCP(Factory.forProtocol(Echo));
    const message = Buffer.alloc(1 << 20, "0123456789abcdef");
    const echoed = await echo(new TCP4ClientEndpoint(reactor, "127.0.0.1", n), message, {
      clock: reactor,
    });
    expect(echoed.equals(message)).toBe(true);
  });

  it("the echo client fails with ConnectionRefusedError when nothing listens", async () => {
    const n = await listenTCP(Factory.forProtocol(Echo));
    await stopLast();
    await expect(
      echo(new TCP4ClientEndpoint(reactor, "127.0.0.1", n), "x", { clock: reactor }),
    ).rejects.toBeInstanceOf(ConnectionRefusedError);
  });

  it("Discard reads everything and sends nothing; the connection stays open until the client ends it", async () => {
    const n = await listenTCP(Factory.forProtocol(Discard));
    const socket = net.connect({ host: "127.0.0.1", port: n });
    await once(socket, "connect");
    let received = 0;
    socket.on("data", (d: Buffer) => {
      received += d.length;
    });
    socket.write(Buffer.alloc(256 * 1024, 1));
    await new Promise<void>((r) => socket.end(r));
    await once(socket, "close");
    expect(received).toBe(0);
  });
});

describe("Echo and Discard over loopback UDP", () => {
  it("EchoDatagram returns each datagram; DiscardDatagram returns none", async () => {
    const echoPort = await listenUDP(new EchoDatagram());
    const replies = await exchange(
      echoPort.getHost().port,
      [Buffer.from("one"), Buffer.from("two")],
      2,
    );
    expect(replies.map(String).sort()).toEqual(["one", "two"]);
    const discardPort = await listenUDP(new DiscardDatagram());
    expect(await exchange(discardPort.getHost().port, [Buffer.from("x")], 1, 300)).toEqual([]);
  });

  it("drops a flood of oversized datagrams without growing memory, and still answers", async () => {
    const port = await listenUDP(new EchoDatagram());
    const n = port.getHost().port;
    const big = Buffer.alloc(60_000, 7); // over the 8192-byte maxPacketSize
    const before = process.memoryUsage().heapUsed;
    const socket = dgram.createSocket("udp4");
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
    let replies = 0;
    socket.on("message", () => replies++);
    // 2,000 × 60 kB = 120 MB offered in bounded batches (the kernel drops what it cannot queue).
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from(
          { length: 100 },
          () => new Promise<void>((r) => socket.send(big, n, "127.0.0.1", () => r())),
        ),
      );
      await new Promise((r) => setImmediate(r));
    }
    await expect.poll(() => port.droppedDatagrams, { timeout: 10_000 }).toBeGreaterThan(0);
    const grown = process.memoryUsage().heapUsed - before;
    expect(grown).toBeLessThan(64 * 1024 * 1024); // nothing of the 120 MB is kept
    expect(replies).toBe(0);
    socket.close();
    expect(await exchange(n, [Buffer.from("still here")], 1)).toEqual([Buffer.from("still here")]);
  });
});
