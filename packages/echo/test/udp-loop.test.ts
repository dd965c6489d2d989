/**
 * The reflection loop a forged datagram starts between two small UDP services, and the guard
 * that stops it. Over real loopback sockets: a datagram "from" server B's port reaches server A
 * (we make B itself send it, which is what a forged source address amounts to).
 */

import {
  createReactor,
  DatagramGuard,
  DatagramProtocol,
  type IListeningPort,
  type IPv4Address,
  SMALL_SERVICE_PORTS,
} from "@torsion/core";
import { Clock, StringDatagramTransport } from "@torsion/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { EchoDatagram } from "../src/echo.ts";

const reactor = createReactor();
const ports: IListeningPort[] = [];
afterEach(async () => {
  await Promise.all(ports.splice(0).map((p) => p.stopListening()));
});

/** An echo server that counts what it answers. */
class CountingEcho extends EchoDatagram {
  received = 0;
  override datagramReceived(data: Buffer, addr: readonly [string, number]): void {
    this.received++;
    // Bound the unguarded case: the loop would otherwise run until the test ends.
    if (this.received > 200) return;
    super.datagramReceived(data, addr);
  }
}

async function listen(protocol: DatagramProtocol): Promise<number> {
  const port = await reactor.listenUDP(0, protocol, { interface: "127.0.0.1" });
  ports.push(port);
  return (port.getHost() as IPv4Address).port;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("two echo servers and one forged datagram", () => {
  it("without a guard they answer each other: the loop the guard exists for", async () => {
    const a = new CountingEcho(null);
    const b = new CountingEcho(null);
    const portA = await listen(a);
    await listen(b);
    b.transport.write(Buffer.from("loop"), ["127.0.0.1", portA]);
    for (let i = 0; i < 100 && a.received < 50; i++) await settle(10);
    expect(a.received).toBeGreaterThanOrEqual(50);
    expect(b.received).toBeGreaterThanOrEqual(49);
  });

  it("with guards that block each other's port, the forged datagram gets no answer", async () => {
    // Stand-ins for the well-known ports, which a test cannot bind unprivileged.
    const a = new CountingEcho(null);
    const b = new CountingEcho(null);
    const portA = await listen(a);
    const portB = await listen(b);
    (a as { guard: DatagramGuard | null }).guard = new DatagramGuard({
      clock: reactor,
      blockedSourcePorts: [portB],
    });
    (b as { guard: DatagramGuard | null }).guard = new DatagramGuard({
      clock: reactor,
      blockedSourcePorts: [portA],
    });
    b.transport.write(Buffer.from("loop"), ["127.0.0.1", portA]);
    for (let i = 0; i < 100 && a.received === 0; i++) await settle(10);
    await settle(100);
    expect(a.received).toBe(1);
    expect(b.received).toBe(0);
    expect(a.guard?.refusedByPort).toBe(1);
  });

  it("the default guard still answers an ordinary client over loopback", async () => {
    const a = new CountingEcho();
    const portA = await listen(a);
    const client = new (class extends DatagramProtocol {
      replies: string[] = [];
      override datagramReceived(data: Buffer): void {
        this.replies.push(String(data));
      }
    })();
    await listen(client);
    client.transport.write(Buffer.from("ping"), ["127.0.0.1", portA]);
    for (let i = 0; i < 200 && client.replies.length === 0; i++) await settle(10);
    expect(client.replies).toEqual(["ping"]);
  });
});

describe("EchoDatagram's default guard", () => {
  function echoOn(guard?: DatagramGuard | null) {
    const proto = guard === undefined ? new EchoDatagram() : new EchoDatagram(guard);
    const transport = new StringDatagramTransport();
    proto.makeConnection(transport);
    return { proto, transport };
  }

  it("does not answer source port 0 or any of the small services' ports", () => {
    const { proto, transport } = echoOn();
    for (const port of SMALL_SERVICE_PORTS)
      proto.datagramReceived(Buffer.from("x"), ["10.1.1.1", port]);
    expect(transport.written).toEqual([]);
    proto.datagramReceived(Buffer.from("y"), ["10.1.1.1", 5353]);
    expect(transport.written.map(({ data, addr }) => [String(data), addr])).toEqual([
      ["y", ["10.1.1.1", 5353]],
    ]);
  });

  it("answers one source host at most `burst` times at once, then at the rate", () => {
    const clock = new Clock();
    const { proto, transport } = echoOn(
      new DatagramGuard({ clock, ratePerSource: 2, burstPerSource: 3 }),
    );
    for (let i = 0; i < 50; i++) proto.datagramReceived(Buffer.from("x"), ["10.1.1.1", 40000]);
    expect(transport.written.length).toBe(3);
    clock.advance(1);
    for (let i = 0; i < 50; i++) proto.datagramReceived(Buffer.from("x"), ["10.1.1.1", 40000]);
    expect(transport.written.length).toBe(5);
  });

  it("null answers everything", () => {
    const { proto, transport } = echoOn(null);
    proto.datagramReceived(Buffer.from("x"), ["10.1.1.1", 7]);
    expect(transport.written.length).toBe(1);
  });
});
