// MetricsService over real loopback sockets: counts match the traffic, /healthz turns 503 at
// the start of a shutdown while the service still accepts, ports close only after the grace.
import net from "node:net";
import { createReactor, Deferred, Factory, Protocol } from "@torsion/core";
import { Clock } from "@torsion/core/testing";
import { Counter } from "prom-client";
import { describe, expect, it } from "vitest";
import { type StreamServerEndpointService, service } from "../service/endpoint-service.ts";
import { Application } from "../service/multi-service.ts";
import { Service } from "../service/service.ts";
import { MetricsService } from "./metrics-service.ts";
import { pluginMetricsRegistry } from "./plugin-registry.ts";

class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

function portOf(s: StreamServerEndpointService | null): number {
  const port = s?.port ?? null;
  if (port === null) throw new Error(`${s} is not listening`);
  return (port.getHost() as unknown as { port: number }).port;
}

/** Connect, send `payload`, read until the echo is complete, close. */
function echoOnce(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const s = net.connect({ port, host: "127.0.0.1" }, () => s.write(payload));
    s.on("data", (d) => {
      chunks.push(d);
      got += d.length;
      if (got >= payload.length) s.end();
    });
    s.on("close", () => resolve(Buffer.concat(chunks)));
    s.on("error", reject);
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: "127.0.0.1" });
    s.on("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.on("error", () => resolve(true));
  });
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, body: await r.text() };
}

function setUp(grace = 5) {
  const reactor = createReactor();
  const clock = new Clock();
  const app = new Application("twist");
  const echo = service("tcp:0:interface=127.0.0.1", Factory.forProtocol(Echo), reactor);
  echo.setName("echo");
  echo.setServiceParent(app);
  const metrics = new MetricsService(app, {
    endpoint: "tcp:0:interface=127.0.0.1",
    reactor,
    clock,
    grace,
  });
  return { clock, echo, metrics };
}

const labels = 'service="echo",endpoint="tcp:0:interface=127.0.0.1"';

describe("MetricsService", () => {
  it("serves /metrics whose counts match the traffic, with default process metrics", async () => {
    const { clock, echo, metrics } = setUp();
    await metrics.startService();
    const m = portOf(metrics.http);
    expect(await get(m, "/readyz")).toEqual({ status: 200, body: "ready\n" });
    expect(await get(m, "/healthz")).toEqual({ status: 200, body: "ok\n" });
    const payload = Buffer.alloc(10_000, 0x62);
    for (let i = 0; i < 3; i++) expect(await echoOnce(portOf(echo), payload)).toEqual(payload);
    // The server sees each close a moment after the client saw its echo: wait for it (bounded).
    let text = "";
    for (let i = 0; i < 200; i++) {
      text = (await get(m, "/metrics")).body;
      if (text.includes(`torsion_connections_open{${labels}} 0`)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(text).toContain(`torsion_connections_open{${labels}} 0`);
    expect(text).toContain(`torsion_connections_total{${labels}} 3`);
    expect(text).toContain(`torsion_bytes_received_total{${labels}} 30000`);
    expect(text).toContain(`torsion_bytes_sent_total{${labels}} 30000`);
    expect(text).toContain(`torsion_connections_refused_total{${labels}} 0`);
    expect(text).toContain("nodejs_eventloop_lag_seconds");
    expect(text).toContain("process_cpu_user_seconds_total");
    const stopped = metrics.stopService();
    clock.advance(5);
    await stopped;
  }, 20_000);

  it("answers 503 on /healthz from the start of a shutdown and closes ports only after the grace", async () => {
    const { clock, echo, metrics } = setUp(5);
    await metrics.startService();
    const m = portOf(metrics.http);
    const p = portOf(echo);
    let done = false;
    const stopped = metrics.stopService().addCallback(() => {
      done = true;
    });
    expect(await get(m, "/healthz")).toEqual({ status: 503, body: "shutting down\n" });
    expect((await get(m, "/readyz")).status).toBe(503);
    // Still serving during the grace: a balancer that has not noticed yet loses nothing.
    const payload = Buffer.from("still here");
    expect(await echoOnce(p, payload)).toEqual(payload);
    expect(done).toBe(false);
    clock.advance(4.9);
    expect(await echoOnce(p, payload)).toEqual(payload);
    clock.advance(0.1);
    await stopped;
    expect(await refused(p)).toBe(true);
    expect(await refused(m)).toBe(true);
  }, 20_000);

  it("answers 503 on /readyz until every service started", async () => {
    class Slow extends Service {
      readonly started = new Deferred<void>();
      override startService(): Deferred<void> {
        super.startService();
        return this.started;
      }
    }
    const reactor = createReactor();
    const clock = new Clock();
    const app = new Application("twist");
    const slow = new Slow();
    slow.setServiceParent(app);
    const metrics = new MetricsService(app, {
      endpoint: "tcp:0:interface=127.0.0.1",
      reactor,
      clock,
    });
    const started = metrics.startService();
    for (let i = 0; i < 500 && metrics.http?.port == null; i++)
      await new Promise((r) => setTimeout(r, 5));
    const m = portOf(metrics.http);
    expect(await get(m, "/readyz")).toEqual({ status: 503, body: "starting\n" });
    expect((await get(m, "/healthz")).status).toBe(200);
    slow.started.callback(undefined);
    await started;
    expect(await get(m, "/readyz")).toEqual({ status: 200, body: "ready\n" });
    const stopped = metrics.stopService();
    clock.advance(2);
    await stopped;
  }, 20_000);

  it("serves plugins' own metrics from the registry the helpers hand out", async () => {
    const counter = new Counter({
      name: "test_plugin_widgets_total",
      help: "widgets",
      registers: [pluginMetricsRegistry()],
    });
    counter.inc(7);
    const { clock, metrics } = setUp();
    await metrics.startService();
    expect((await get(portOf(metrics.http), "/metrics")).body).toContain(
      "test_plugin_widgets_total 7",
    );
    const stopped = metrics.stopService();
    clock.advance(5);
    await stopped;
  }, 20_000);
});
