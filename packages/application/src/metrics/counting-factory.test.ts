import {
  ConnectionDone,
  ConnectionLost,
  Factory,
  Failure,
  IPv4Address,
  Protocol,
} from "@torsion/core";
import { StringTransport } from "@torsion/core/testing";
import { describe, expect, it } from "vitest";
import { ConnectionMetrics } from "./connection-metrics.ts";
import { CountingFactory } from "./counting-factory.ts";

class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
    this.transport.writeSequence(["é", Buffer.from("!!")]);
  }
}

const addr = new IPv4Address("TCP", "127.0.0.2", 5555);

async function value(
  metrics: ConnectionMetrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const json = await metrics.registry.getMetricsAsJSON();
  const metric = json.find((m) => m.name === name);
  const entry = metric?.values.find((v) =>
    Object.entries(labels).every(([k, x]) => v.labels[k] === x),
  );
  return entry?.value;
}

describe("CountingFactory", () => {
  it("counts connections, bytes both ways and how each connection ended", async () => {
    const metrics = new ConnectionMetrics();
    const factory = new CountingFactory(
      Factory.forProtocol(Echo),
      metrics.forEndpoint("echo", "tcp:8007"),
    );
    const labels = { service: "echo", endpoint: "tcp:8007" };
    expect(await value(metrics, "torsion_connections_total", labels)).toBe(0);

    const a = factory.buildProtocol(addr);
    const b = factory.buildProtocol(addr);
    a?.makeConnection(new StringTransport());
    b?.makeConnection(new StringTransport());
    expect(await value(metrics, "torsion_connections_open", labels)).toBe(2);
    a?.dataReceived(Buffer.from("hello"));
    expect(await value(metrics, "torsion_bytes_received_total", labels)).toBe(5);
    // "hello", then "é" (2 bytes in UTF-8) and "!!".
    expect(await value(metrics, "torsion_bytes_sent_total", labels)).toBe(9);

    a?.connectionLost(new Failure(new ConnectionDone()));
    b?.connectionLost(new Failure(new ConnectionLost("reset")));
    expect(await value(metrics, "torsion_connections_open", labels)).toBe(0);
    expect(await value(metrics, "torsion_connections_total", labels)).toBe(2);
    expect(
      await value(metrics, "torsion_connection_errors_total", {
        ...labels,
        reason: "ConnectionLost",
      }),
    ).toBe(1);
  });

  it("counts a connection the wrapped factory refuses", async () => {
    const metrics = new ConnectionMetrics();
    const refusing = new (class extends Factory {
      override buildProtocol() {
        return null;
      }
    })();
    const factory = new CountingFactory(refusing, metrics.forEndpoint("limited", "tcp:1"));
    expect(factory.buildProtocol(addr)).toBeNull();
    expect(await value(metrics, "torsion_connections_refused_total", { service: "limited" })).toBe(
      1,
    );
    expect(await value(metrics, "torsion_connections_total", { service: "limited" })).toBe(0);
  });

  it("serves the Prometheus text format with both labels", async () => {
    const metrics = new ConnectionMetrics();
    const factory = new CountingFactory(
      Factory.forProtocol(Echo),
      metrics.forEndpoint("echo", "haproxy:tcp:0"),
    );
    factory.buildProtocol(addr)?.makeConnection(new StringTransport());
    const text = await metrics.registry.metrics();
    expect(text).toContain('torsion_connections_open{service="echo",endpoint="haproxy:tcp:0"} 1');
    expect(text).toContain("# TYPE torsion_bytes_sent_total counter");
  });
});
