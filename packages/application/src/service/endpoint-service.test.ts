import { connect, type Socket } from "node:net";
import {
  CannotListenError,
  createReactor,
  Factory,
  type IPv4Address,
  Protocol,
  serverFromString,
} from "@torsion/core";
import { Clock } from "@torsion/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { StreamServerEndpointService, service } from "./endpoint-service.ts";

class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

const reactor = createReactor();
const started: StreamServerEndpointService[] = [];

afterEach(async () => {
  for (const s of started.splice(0)) if (s.running) await s.stopService();
});

async function listening(
  options: { drainTimeout?: number } = {},
): Promise<[StreamServerEndpointService, number]> {
  const s = service("tcp:0:interface=127.0.0.1", Factory.forProtocol(Echo), reactor, {
    drainTimeout: options.drainTimeout,
  });
  started.push(s);
  await s.startService();
  return [s, (s.port!.getHost() as IPv4Address).port];
}

function client(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
    socket.on("error", reject);
  });
}

function roundTrip(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once("data", (d) => resolve(d.toString()));
    socket.write(text);
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once("close", () => resolve()));
}

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe("StreamServerEndpointService over loopback", () => {
  it("listens while running and serves connections", async () => {
    const [s, port] = await listening();
    expect(s.running).toBe(true);
    const c = await client(port);
    expect(await roundTrip(c, "hello")).toBe("hello");
    c.destroy();
  });

  it("fails to start with CannotListenError when the port is taken, and is then not running", async () => {
    const [, port] = await listening();
    const second = service(`tcp:${port}:interface=127.0.0.1`, Factory.forProtocol(Echo), reactor);
    const error = await second.startService().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CannotListenError);
    expect((error as Error).message).toMatch(/Address already in use/);
    expect(second.running).toBe(false);
  });

  it("on stop, refuses new connections but lets open ones finish before it fires", async () => {
    const [s, port] = await listening({ drainTimeout: 60 });
    const c = await client(port);
    await roundTrip(c, "x");
    await waitFor(() => s.connectionCount === 1);
    let stopped = false;
    s.stopService().addCallback(() => {
      stopped = true;
    });
    // The open connection still works…
    expect(await roundTrip(c, "still here")).toBe("still here");
    expect(stopped).toBe(false);
    // …new ones are refused…
    await expect(client(port)).rejects.toThrow(/ECONNREFUSED/);
    // …and the stop completes when the client leaves.
    c.end();
    await waitFor(() => stopped);
  });

  it("closes connections still open when the drain timeout passes", async () => {
    const clock = new Clock();
    const endpoint = serverFromString(reactor, "tcp:0:interface=127.0.0.1");
    const timed = new StreamServerEndpointService(endpoint, Factory.forProtocol(Echo), {
      drainTimeout: 5,
      clock,
    });
    started.push(timed);
    await timed.startService();
    const c = await client((timed.port!.getHost() as IPv4Address).port);
    await waitFor(() => timed.connectionCount === 1);
    let stopped = false;
    timed.stopService().addCallback(() => {
      stopped = true;
    });
    const gone = closed(c);
    clock.advance(4);
    expect(stopped).toBe(false);
    clock.advance(1);
    expect(stopped).toBe(true);
    await gone;
  });
});
