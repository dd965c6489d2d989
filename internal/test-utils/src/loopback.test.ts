import * as dgram from "node:dgram";
import { once } from "node:events";
import * as net from "node:net";
import { DatagramProtocol, Factory, Protocol } from "@torsion/core";
import { describe, expect, it } from "vitest";
import { askUDP, captureOutput, useLoopback } from "./loopback.ts";

class Hello extends Protocol {
  override connectionMade(): void {
    this.transport.write(Buffer.from("hello"));
    this.transport.loseConnection();
  }
}

/** Whether a TCP connection to 127.0.0.1:`port` is accepted. */
async function accepts(port: number): Promise<boolean> {
  const socket = net.connect({ host: "127.0.0.1", port });
  try {
    await once(socket, "connect");
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

describe("useLoopback", () => {
  const { reactor, listenTCP, listenUDP, stopLast } = useLoopback();
  let previous = 0;

  it("listens on 127.0.0.1 with a real reactor, on a fresh port", async () => {
    const port = await listenTCP(Factory.forProtocol(Hello), { backlog: 8 });
    expect(port).toBeGreaterThan(0);
    const socket = net.connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    socket.on("data", (d: Buffer) => chunks.push(d));
    await once(socket, "close");
    expect(Buffer.concat(chunks).toString()).toBe("hello");
    expect(typeof reactor.callLater).toBe("function");
    previous = port;
  });

  it("stopped the previous test's port after it", async () => {
    expect(previous).toBeGreaterThan(0);
    expect(await accepts(previous)).toBe(false);
  });

  it("stopLast stops the port opened last, now", async () => {
    const kept = await listenTCP(Factory.forProtocol(Hello));
    const stopped = await listenTCP(Factory.forProtocol(Hello));
    await stopLast();
    expect(await accepts(stopped)).toBe(false);
    expect(await accepts(kept)).toBe(true);
    await stopLast();
    await expect(stopLast()).rejects.toThrow(/no port is open/);
  });

  it("binds UDP on 127.0.0.1 and gives the port", async () => {
    class Reply extends DatagramProtocol {
      override datagramReceived(data: Buffer, address: readonly [string, number]): void {
        this.transport.write(Buffer.from(`got ${data}`), address);
      }
    }
    const port = await listenUDP(new Reply());
    const socket = dgram.createSocket("udp4");
    const reply = new Promise<Buffer>((r) => socket.once("message", r));
    socket.send("x", port.getHost().port, "127.0.0.1");
    expect(String(await reply)).toBe("got x");
    socket.close();
  });

  it("askUDP sends one datagram and resolves with the reply", async () => {
    const received: string[] = [];
    class Reply extends DatagramProtocol {
      override datagramReceived(data: Buffer, address: readonly [string, number]): void {
        received.push(String(data));
        this.transport.write(Buffer.from(`got ${data}`), address);
      }
    }
    const port = (await listenUDP(new Reply())).getHost().port;
    expect(String(await askUDP(port, "one"))).toBe("got one");
    expect(String(await askUDP(port, Buffer.from("two")))).toBe("got two");
    expect(received).toEqual(["one", "two"]);
  });
});

describe("captureOutput", () => {
  it("keeps everything written, in order", () => {
    const out = captureOutput();
    expect(out.text()).toBe("");
    expect(out.write("a")).toBe(true);
    out.write("bc\n");
    expect(out.text()).toBe("abc\n");
  });
});
