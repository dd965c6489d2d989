import * as dgram from "node:dgram";
import * as net from "node:net";
import { Factory, type Failure, TCP4ClientEndpoint } from "@torsion/core";
import { captureOutput as capture, useLoopback } from "@torsion/test-utils";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.ts";
import { getQuote } from "../src/client.ts";
import { QuoteList } from "../src/quotes.ts";
import { QOTD, QOTDDatagram } from "../src/server.ts";

const { reactor, listenTCP, listenUDP, stopLast } = useLoopback();

/** Read from a raw socket until the server closes: the quote, or the error that ended it. */
function rawQuote(port: number): Promise<{ text?: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    socket.on("end", () => resolve({ text: Buffer.concat(chunks).toString() }));
    socket.on("close", () => resolve({ error: "closed without end" }));
    socket.setTimeout(30_000, () => {
      resolve({
        error: `timeout:${socket.connecting ? "connecting" : "connected"}:${chunks.length}`,
      });
      socket.destroy();
    });
  });
}

describe("QOTD over loopback TCP", () => {
  it("getQuote reads the quote until the server closes", async () => {
    const n = await listenTCP(Factory.forProtocol(QOTD, new QuoteList(["Carpe diem."])));
    const quote = await getQuote(new TCP4ClientEndpoint(reactor, "127.0.0.1", n), {
      clock: reactor,
    });
    expect(quote).toBe("Carpe diem.\r\n");
  });

  it("qotd-client prints the quote and exits 0", async () => {
    const n = await listenTCP(Factory.forProtocol(QOTD));
    const stdout = capture();
    const stderr = capture();
    expect(await main([`127.0.0.1:${n}`], { reactor, stdout, stderr })).toBe(0);
    expect(stdout.text()).toBe("An apple a day keeps the doctor away.\r\n");
    expect(stderr.text()).toBe("");
  });

  it("qotd-client reports a refused connection and exits 1; bad arguments exit 2", async () => {
    const n = await listenTCP(Factory.forProtocol(QOTD));
    await stopLast();
    const stderr = capture();
    expect(await main([`127.0.0.1:${n}`], { reactor, stdout: capture(), stderr })).toBe(1);
    expect(stderr.text()).toMatch(/^qotd-client: no quote from 127\.0\.0\.1:\d+: .*refused/i);
    const usage = capture();
    expect(await main([], { reactor, stdout: capture(), stderr: usage })).toBe(2);
    expect(usage.text()).toContain("usage: qotd-client HOST:PORT");
    const bad = capture();
    expect(await main(["nonsense"], { reactor, stdout: capture(), stderr: bad })).toBe(2);
    expect(bad.text()).toMatch(
      /^qotd-client: Not HOST:PORT or a client endpoint: "nonsense"\nusage: qotd-client /,
    );
    expect(
      await main(["h:1", "--timeout", "0"], { reactor, stdout: capture(), stderr: capture() }),
    ).toBe(2);
  });

  it("answers or cleanly refuses 10,000 clients in a burst, and every connection is closed", async () => {
    let made = 0;
    let lost = 0;
    class Counting extends QOTD {
      override connectionMade(): void {
        made++;
        super.connectionMade();
      }
      override connectionLost(_reason: Failure): void {
        lost++;
      }
    }
    const n = await listenTCP(Factory.forProtocol(Counting, new QuoteList(["Burst."])), {
      backlog: 1024,
    });
    const total = 10_000;
    const outcomes = new Map<string, number>();
    let next = 0;
    // 200 clients at a time: a burst for a server, not for the test machine's file table. The
    // backlog must exceed it: on Linux, a connection the full accept queue cannot take is
    // neither answered nor refused (the client sees it established; the server drops the ACK).
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        while (next < total) {
          next++;
          const r = await rawQuote(n);
          const key =
            r.text !== undefined
              ? r.text === "Burst.\r\n"
                ? "answered"
                : `wrong:${r.text}`
              : r.error!;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        }
      }),
    );
    const counts = Object.fromEntries(outcomes);
    const refused = (counts.ECONNREFUSED ?? 0) + (counts.ECONNRESET ?? 0);
    expect((counts.answered ?? 0) + refused).toBe(total);
    expect(counts.answered).toBeGreaterThan(0);
    await expect.poll(() => lost, { timeout: 10_000 }).toBe(made);
    // and the server still answers afterwards
    expect(await rawQuote(n)).toEqual({ text: "Burst.\r\n" });
  }, 180_000);
});

describe("QOTD over loopback UDP", () => {
  it("answers each datagram with a quote", async () => {
    const port = await listenUDP(new QOTDDatagram(new QuoteList(["one", "two"])));
    const socket = dgram.createSocket("udp4");
    const replies: string[] = [];
    socket.on("message", (m) => replies.push(m.toString()));
    socket.send(Buffer.alloc(0), port.getHost().port, "127.0.0.1");
    socket.send("hi", port.getHost().port, "127.0.0.1");
    await expect.poll(() => replies.length, { timeout: 5000 }).toBe(2);
    expect(replies.sort()).toEqual(["one\r\n", "two\r\n"]);
    socket.close();
  });

  it("drops a flood of oversized datagrams without answering or growing memory", async () => {
    const port = await listenUDP(new QOTDDatagram());
    const n = port.getHost().port;
    const socket = dgram.createSocket("udp4");
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
    let replies = 0;
    socket.on("message", () => replies++);
    const big = Buffer.alloc(50_000, 1);
    const before = process.memoryUsage().heapUsed;
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from(
          { length: 100 },
          () => new Promise<void>((r) => socket.send(big, n, "127.0.0.1", () => r())),
        ),
      );
    }
    await expect.poll(() => port.droppedDatagrams, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
    expect(replies).toBe(0);
    socket.send("small", n, "127.0.0.1");
    await expect.poll(() => replies, { timeout: 5000 }).toBe(1);
    socket.close();
  });
});
