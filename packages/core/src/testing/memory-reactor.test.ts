import { describe, expect, it } from "vitest";
import type { IConnector } from "../interfaces.ts";
import { DatagramProtocol } from "../protocol/datagram.ts";
import { ClientFactory, Factory } from "../protocol/factory.ts";
import { Protocol } from "../protocol/protocol.ts";
import { IPv4Address, IPv6Address, UNIXAddress } from "../transport/address.ts";
import {
  MemoryConnector,
  MemoryPort,
  MemoryReactor,
  MemoryReactorClock,
} from "./memory-reactor.ts";

class RecordingClientFactory extends ClientFactory {
  started: IConnector[] = [];
  override startedConnecting(connector: IConnector): void {
    this.started.push(connector);
  }
}

describe("MemoryReactor", () => {
  it("records listenTCP and fires with a port on the address asked for", async () => {
    const r = new MemoryReactor();
    const f = Factory.forProtocol(Protocol);
    const port = await r.listenTCP(8007, f);
    expect(r.tcpServers).toEqual([{ port: 8007, factory: f, backlog: 50, interface: "" }]);
    expect(port.getHost()).toEqual(new IPv4Address("TCP", "0.0.0.0", 8007));
    const p6 = await r.listenTCP(1, f, { backlog: 5, interface: "::1" });
    expect(p6.getHost()).toEqual(new IPv6Address("TCP", "::1", 1));
    expect(r.tcpServers[1]).toMatchObject({ backlog: 5, interface: "::1" });
  });

  it("records connectTCP, calls startedConnecting and returns a connector that does nothing", () => {
    const r = new MemoryReactor();
    const f = new RecordingClientFactory();
    const c = r.connectTCP("example.com", 7, f, { timeout: 5, bindAddress: ["127.0.0.1", 0] });
    expect(r.tcpClients).toEqual([
      { host: "example.com", port: 7, factory: f, timeout: 5, bindAddress: ["127.0.0.1", 0] },
    ]);
    expect(f.started).toEqual([c]);
    expect(r.connectors).toEqual([c]);
    expect(c.getDestination()).toEqual(new IPv4Address("TCP", "example.com", 7));
    c.connect();
    c.stopConnecting();
    c.disconnect();
    expect(c.connectCalls).toBe(1);
    expect(c.stoppedConnecting).toBe(true);
    expect(c.disconnected).toBe(true);
    expect(r.connectTCP("::1", 7, Factory.forProtocol(Protocol)).getDestination()).toEqual(
      new IPv6Address("TCP", "::1", 7),
    );
  });

  it("records SSL, UNIX and UDP calls with their defaults", async () => {
    const r = new MemoryReactor();
    const f = new RecordingClientFactory();
    const tls = { servername: "x" };
    await r.listenSSL(443, f, tls);
    r.connectSSL("h", 443, f, tls);
    const up = await r.listenUNIX("/tmp/s", f);
    const uc = r.connectUNIX("/tmp/s", f, { checkPID: true });
    const proto = new DatagramProtocol();
    const udp = await r.listenUDP(53, proto);
    expect(r.sslServers).toEqual([
      { port: 443, factory: f, contextFactory: tls, backlog: 50, interface: "" },
    ]);
    expect(r.sslClients).toEqual([
      {
        host: "h",
        port: 443,
        factory: f,
        contextFactory: tls,
        timeout: 30,
        bindAddress: undefined,
      },
    ]);
    expect(r.unixServers).toEqual([
      { path: "/tmp/s", factory: f, backlog: 50, mode: 0o666, wantPID: false },
    ]);
    expect(r.unixClients).toEqual([{ path: "/tmp/s", factory: f, timeout: 30, checkPID: true }]);
    expect(r.udpServers).toEqual([
      { port: 53, protocol: proto, interface: "", maxPacketSize: 8192 },
    ]);
    expect(up.getHost()).toEqual(new UNIXAddress("/tmp/s"));
    expect(uc.getDestination()).toEqual(new UNIXAddress("/tmp/s"));
    expect(udp.getHost()).toEqual(new IPv4Address("UDP", "0.0.0.0", 53));
    expect(f.started.length).toBe(2);
    expect(proto.hasTransport).toBe(false);
  });

  it("gives ports that stop listening, also through await using", async () => {
    const port = new MemoryPort(new IPv4Address("TCP", "0.0.0.0", 1));
    await port.stopListening();
    expect(port.listening).toBe(false);
    const r = new MemoryReactor();
    let kept: MemoryPort | undefined;
    {
      await using p = (await r.listenTCP(2, new Factory())) as MemoryPort;
      kept = p;
      expect(p.listening).toBe(true);
    }
    expect(kept.listening).toBe(false);
  });

  it("run() runs the callWhenRunning hooks and stops", async () => {
    const r = new MemoryReactor();
    const calls: string[] = [];
    r.callWhenRunning((a: string) => calls.push(a), "x");
    expect(calls).toEqual([]);
    await r.run();
    expect(calls).toEqual(["x"]);
    expect(r.hasRun).toBe(true);
    expect(r.hasStopped).toBe(true);
    expect(r.running).toBe(false);
  });

  it("records system event triggers and fires them in phase order", async () => {
    const r = new MemoryReactor();
    const calls: string[] = [];
    r.addSystemEventTrigger("after", "shutdown", () => calls.push("after"));
    r.addSystemEventTrigger("during", "shutdown", () => calls.push("during"));
    const id = r.addSystemEventTrigger("before", "shutdown", () => calls.push("removed"));
    r.addSystemEventTrigger("before", "shutdown", (n: number) => calls.push(`before ${n}`), 1);
    r.addSystemEventTrigger("during", "startup", () => calls.push("startup"));
    r.removeSystemEventTrigger(id);
    expect(r.triggers.length).toBe(4);
    await r.fireSystemEvent("shutdown");
    expect(calls).toEqual(["before 1", "during", "after"]);
  });

  it("MemoryConnector is usable on its own", () => {
    const c = new MemoryConnector(new UNIXAddress("/x"));
    expect(c.getDestination()).toEqual(new UNIXAddress("/x"));
  });
});

describe("MemoryReactorClock", () => {
  it("is a reactor whose time moves only when advanced", async () => {
    const r = new MemoryReactorClock();
    const calls: number[] = [];
    r.callLater(2, () => calls.push(r.seconds()));
    expect(r.getDelayedCalls().length).toBe(1);
    r.advance(1);
    expect(calls).toEqual([]);
    r.pump([0.5, 0.5]);
    expect(calls).toEqual([2]);
    expect(r.seconds()).toBe(2);
    expect(r.clock.seconds()).toBe(2);
    await r.listenTCP(1, new Factory());
    expect(r.tcpServers.length).toBe(1);
  });
});
