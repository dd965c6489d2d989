import * as dgram from "node:dgram";
import {
  CannotListenError,
  createReactor,
  DatagramProtocol,
  EndpointDescriptionError,
  type IPv4Address,
} from "@torsion/core";
import { afterEach, describe, expect, it } from "vitest";
import { serviceMakerHelpers } from "../runner/helpers.ts";
import type { IService } from "./service.ts";
import { parseUDPAddress, UDPServer } from "./udp-server.ts";

class EchoDatagram extends DatagramProtocol {
  override datagramReceived(data: Buffer, addr: readonly [string, number]): void {
    this.transport.write(data, addr);
  }
}

const reactor = createReactor();
const helpers = serviceMakerHelpers("test", reactor);
const running: IService[] = [];

afterEach(async () => {
  for (const s of running.splice(0)) if (s.running) await s.stopService();
});

async function start(s: IService): Promise<number> {
  running.push(s);
  await s.startService();
  return ((s as UDPServer).port!.getHost() as IPv4Address).port;
}

function ask(port: number, text: string): Promise<string> {
  const socket = dgram.createSocket("udp4");
  return new Promise<string>((resolve, reject) => {
    socket.once("message", (m) => resolve(m.toString()));
    socket.once("error", reject);
    socket.send(text, port, "127.0.0.1");
  }).finally(() => socket.close());
}

describe("listenUDP (the plugin helper) and UDPServer", () => {
  it("binds while running and answers datagrams over loopback; stopping closes the socket", async () => {
    const s = helpers.listenUDP("127.0.0.1:0", new EchoDatagram());
    expect(s).toBeInstanceOf(UDPServer);
    const port = await start(s);
    expect(s.running).toBe(true);
    expect(await ask(port, "ping")).toBe("ping");
    await s.stopService();
    expect(s.running).toBe(false);
    expect((s as UDPServer).port).toBe(null);
    // The port is free again: another service can bind it.
    expect(
      await start(new UDPServer(reactor, port, new EchoDatagram(), { interface: "127.0.0.1" })),
    ).toBe(port);
  });

  it("takes a port number with the interface in the options", async () => {
    const s = helpers.listenUDP(0, new EchoDatagram(), { interface: "127.0.0.1" });
    const port = await start(s);
    expect(((s as UDPServer).port!.getHost() as IPv4Address).host).toBe("127.0.0.1");
    expect(await ask(port, "by number")).toBe("by number");
  });

  it("fails to start with CannotListenError when the port is taken, and is not running", async () => {
    const port = await start(helpers.listenUDP("127.0.0.1:0", new EchoDatagram()));
    const second = helpers.listenUDP(`127.0.0.1:${port}`, new EchoDatagram());
    await expect(Promise.resolve(second.startService())).rejects.toBeInstanceOf(CannotListenError);
    expect(second.running).toBe(false);
  });

  it("refuses a malformed address with EndpointDescriptionError, before anything starts", () => {
    expect(() => helpers.listenUDP("tcp:7", new EchoDatagram())).toThrow(EndpointDescriptionError);
    expect(() => helpers.listenUDP("localhost:7", new EchoDatagram())).toThrow(
      /Invalid UDP address "localhost:7"/,
    );
  });
});

describe("parseUDPAddress", () => {
  it("reads PORT, HOST:PORT and [IPv6]:PORT", () => {
    expect(parseUDPAddress("8007")).toEqual({ interface: "", port: 8007 });
    expect(parseUDPAddress("127.0.0.1:7")).toEqual({ interface: "127.0.0.1", port: 7 });
    expect(parseUDPAddress("[::1]:7")).toEqual({ interface: "::1", port: 7 });
  });

  it.each(["tcp:7", "70000", "", "1.2.3.4:", "::1:7"])("refuses %j", (value) => {
    expect(() => parseUDPAddress(value)).toThrow(EndpointDescriptionError);
  });
});
