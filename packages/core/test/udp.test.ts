/**
 * UDP over loopback: round trips, oversized datagrams, connected mode.
 */
import * as dgram from "node:dgram";
import { describe, expect, it } from "vitest";
import {
  CannotListenError,
  createReactor,
  DatagramProtocol,
  type Failure,
  IPv4Address,
} from "../src/index.ts";
import { captureLogs, defer, turns } from "./helpers.ts";

class Collect extends DatagramProtocol {
  got: Array<[string, readonly [string, number]]> = [];
  started = 0;
  stopped = 0;
  refused = defer<void>();
  #waiters: Array<{ n: number; resolve: () => void }> = [];
  override startProtocol(): void {
    this.started++;
  }
  override stopProtocol(): void {
    this.stopped++;
  }
  override datagramReceived(data: Buffer, addr: readonly [string, number]): void {
    this.got.push([data.toString(), addr]);
    for (const w of this.#waiters) if (this.got.length >= w.n) w.resolve();
    this.#waiters = this.#waiters.filter((w) => this.got.length < w.n);
  }
  override connectionRefused(): void {
    this.refused.resolve();
  }
  atLeast(n: number): Promise<void> {
    if (this.got.length >= n) return Promise.resolve();
    const d = defer<void>();
    this.#waiters.push({ n, resolve: d.resolve });
    return d.promise;
  }
}

class EchoDatagram extends DatagramProtocol {
  override datagramReceived(data: Buffer, addr: readonly [string, number]): void {
    if (data.toString() === "boom") throw new Error("datagramReceived exploded");
    this.transport.write(data, addr);
  }
}

describe("UDP", () => {
  it("round trip: datagramReceived(data, [host, port]) and write(data, addr)", async () => {
    const reactor = createReactor();
    const server = new EchoDatagram();
    await using serverPort = await reactor.listenUDP(0, server, { interface: "127.0.0.1" });
    const client = new Collect();
    const clientPort = await reactor.listenUDP(0, client, { interface: "127.0.0.1" });
    expect(client.started).toBe(1);
    expect(clientPort.getHost()).toBeInstanceOf(IPv4Address);
    expect(clientPort.getHost().type).toBe("UDP");
    const to = ["127.0.0.1", serverPort.getHost().port] as const;
    clientPort.write("one", to);
    clientPort.write(Buffer.from("two"), to);
    await client.atLeast(2);
    expect(client.got.map(([d]) => d).sort()).toEqual(["one", "two"]);
    expect(client.got[0]![1]).toEqual(to);
    await clientPort.stopListening();
    expect(client.stopped).toBe(1);
  });

  it("drops datagrams larger than maxPacketSize without delivering them", async () => {
    const reactor = createReactor();
    const proto = new Collect();
    await using port = await reactor.listenUDP(0, proto, {
      interface: "127.0.0.1",
      maxPacketSize: 100,
    });
    const sender = dgram.createSocket("udp4");
    const target = port.getHost().port;
    const send = (data: Buffer): Promise<void> =>
      new Promise((resolve, reject) =>
        sender.send(data, target, "127.0.0.1", (e) => (e ? reject(e) : resolve())),
      );
    await send(Buffer.alloc(101, 1));
    await send(Buffer.alloc(60_000, 2));
    await send(Buffer.from("small"));
    await proto.atLeast(1);
    await turns(10);
    expect(proto.got.map(([d]) => d)).toEqual(["small"]);
    expect(port.droppedDatagrams).toBe(2);
    sender.close();
  });

  it("connected mode: write without an address; a refused datagram calls connectionRefused", async () => {
    const reactor = createReactor();
    // A port that is bound, then closed: nobody listens there any more.
    const gone = await reactor.listenUDP(0, new Collect(), { interface: "127.0.0.1" });
    const deadPort = gone.getHost().port;
    await gone.stopListening();

    const proto = new Collect();
    await using port = await reactor.listenUDP(0, proto, { interface: "127.0.0.1" });
    port.connect("127.0.0.1", deadPort);
    expect(() => port.write("x", ["127.0.0.1", deadPort + 1])).toThrow(/Already connected/);
    // ICMP port unreachable arrives for one of these; each write may report it.
    for (let i = 0; i < 5; i++) {
      port.write("anyone?");
      await turns(5);
    }
    await proto.refused.promise;
  });

  it("write without an address on an unconnected port throws", async () => {
    const reactor = createReactor();
    await using port = await reactor.listenUDP(0, new Collect(), { interface: "127.0.0.1" });
    expect(() => port.write("x")).toThrow(/needs an address/);
  });

  it("an exception in datagramReceived is logged and the port keeps serving", async () => {
    const logs = captureLogs();
    try {
      const reactor = createReactor();
      await using server = await reactor.listenUDP(0, new EchoDatagram(), {
        interface: "127.0.0.1",
      });
      const client = new Collect();
      await using clientPort = await reactor.listenUDP(0, client, { interface: "127.0.0.1" });
      const to = ["127.0.0.1", server.getHost().port] as const;
      clientPort.write("boom", to);
      clientPort.write("after", to);
      await client.atLeast(1);
      expect(client.got.map(([d]) => d)).toEqual(["after"]);
      expect(
        logs.events.some(
          (e) =>
            (e.log_failure as Failure | undefined)?.getErrorMessage() ===
            "datagramReceived exploded",
        ),
      ).toBe(true);
    } finally {
      logs.stop();
    }
  });

  it("a rejected async datagramReceived is logged and the port keeps serving", async () => {
    const logs = captureLogs();
    try {
      const reactor = createReactor();
      class AsyncEcho extends DatagramProtocol {
        override async datagramReceived(
          data: Buffer,
          addr: readonly [string, number],
        ): Promise<void> {
          await Promise.resolve();
          if (data.toString() === "boom") throw new Error("async datagramReceived rejected");
          this.transport.write(data, addr);
        }
      }
      await using server = await reactor.listenUDP(0, new AsyncEcho(), { interface: "127.0.0.1" });
      const client = new Collect();
      await using clientPort = await reactor.listenUDP(0, client, { interface: "127.0.0.1" });
      const to = ["127.0.0.1", server.getHost().port] as const;
      clientPort.write("boom", to);
      clientPort.write("after", to);
      await client.atLeast(1);
      expect(client.got.map(([d]) => d)).toEqual(["after"]);
      expect(
        logs.events.some(
          (e) =>
            (e.log_failure as Failure | undefined)?.getErrorMessage() ===
            "async datagramReceived rejected",
        ),
      ).toBe(true);
    } finally {
      logs.stop();
    }
  });

  it("a port in use fails with CannotListenError", async () => {
    const reactor = createReactor();
    await using port = await reactor.listenUDP(0, new Collect(), { interface: "127.0.0.1" });
    const n = port.getHost().port;
    const err = await reactor.listenUDP(n, new Collect(), { interface: "127.0.0.1" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CannotListenError);
    expect((err as Error).message).toBe(
      `Couldn't listen on 127.0.0.1:${n}: Address already in use`,
    );
  });
});
