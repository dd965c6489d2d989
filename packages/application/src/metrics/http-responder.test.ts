import { IPv4Address } from "@torsion/core";
import { Clock, StringTransportWithDisconnection } from "@torsion/core/testing";
import { describe, expect, it } from "vitest";
import { HTTPResponderFactory, type HTTPRoute, textResponse } from "./http-responder.ts";

const routes = new Map<string, HTTPRoute>([
  ["/healthz", () => textResponse(200, "ok\n")],
  ["/slow", async () => textResponse(503, "later\n")],
  [
    "/broken",
    async () => {
      throw new Error("boom");
    },
  ],
]);

async function request(raw: string, chunk = raw.length, clock = new Clock()) {
  const factory = new HTTPResponderFactory(routes, clock);
  const p = factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 1));
  const t = new StringTransportWithDisconnection({ protocol: p });
  p.makeConnection(t);
  const bytes = Buffer.from(raw, "latin1");
  for (let i = 0; i < bytes.length; i += chunk) p.dataReceived(bytes.subarray(i, i + chunk));
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return { out: t.value().toString("latin1"), t, clock };
}

describe("HTTP responder", () => {
  it.each([1, 2, 7, 1000])(
    "answers a GET fed in chunks of %i byte(s), then closes",
    async (chunk) => {
      const { out, t } = await request("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", chunk);
      expect(out).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(out).toContain("Content-Length: 3\r\n");
      expect(out).toContain("Connection: close\r\n");
      expect(out.endsWith("\r\n\r\nok\n")).toBe(true);
      expect(t.disconnecting).toBe(true);
    },
  );

  it("answers HEAD without a body, HTTP/1.0 and a query string", async () => {
    const { out } = await request("HEAD /healthz?x=1 HTTP/1.0\r\n\r\n");
    expect(out).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(out.endsWith("\r\n\r\n")).toBe(true);
  });

  it.each([
    ["GET /nope HTTP/1.1\r\n\r\n", 404],
    ["POST /healthz HTTP/1.1\r\n\r\n", 405],
    ["garbage\r\n\r\n", 400],
    ["GET /slow HTTP/1.1\r\n\r\n", 503],
    ["GET /broken HTTP/1.1\r\n\r\n", 500],
  ])("%j → %i", async (raw, status) => {
    const { out } = await request(raw);
    expect(out.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
  });

  it("refuses a request head over 8 KiB without buffering more", async () => {
    const { out, t } = await request(`GET /healthz HTTP/1.1\r\nX: ${"a".repeat(9000)}`);
    expect(out.startsWith("HTTP/1.1 431 ")).toBe(true);
    expect(t.disconnecting).toBe(true);
  });

  it("drops a client that sends no request within 10 s", async () => {
    const { t, clock } = await request("GET /heal");
    expect(t.disconnecting).toBe(false);
    clock.advance(10);
    expect(t.disconnecting).toBe(true);
  });
});
