// `twist --metrics` as a child process: one process, and `--workers 2` aggregated by the primary.
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { client, fixtureDir, roundTrip, Twist } from "./twist.ts";

let dir: string;
const running: Twist[] = [];

function twist(...args: string[]): Twist {
  const t = new Twist(args, dir);
  running.push(t);
  return t;
}

/** The echo service's port, from its start-up line (the metrics listener has one too). */
function echoPort(t: Twist): Promise<number> {
  return t.waitFor(() => {
    for (const x of t.records) {
      const m = /^Service echo listening on tcp:127\.0\.0\.1:(\d+)$/.exec(String(x.msg));
      if (m) return Number(m[1]);
    }
    return undefined;
  }, "the echo port");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: r.status, body: await r.text() };
  } catch {
    return { status: 0, body: "" };
  }
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(() => {
  dir = fixtureDir();
});
afterEach(() => {
  for (const t of running.splice(0)) if (t.proc.exitCode === null) t.proc.kill("SIGKILL");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("twist --metrics", { timeout: 60_000 }, () => {
  it("serves counts, then /healthz 503 for the grace while still serving, then exits 0", async () => {
    const m = await freePort();
    const t = twist("--metrics", `tcp:${m}:interface=127.0.0.1`, "--metrics-grace", "5", "echo");
    const port = await echoPort(t);
    await until("/readyz", async () =>
      (await get(m, "/readyz")).status === 200 ? true : undefined,
    );
    for (let i = 0; i < 3; i++) {
      const c = await client(port);
      expect(await roundTrip(c, "12345")).toBe("12345");
      c.end();
    }
    // The counting wrapper is invisible in connection log lines: the system is the socket's.
    const made = await t.waitFor(
      () => t.records.find((r) => r.msg === "Connection made"),
      "a connection log line",
    );
    expect(made.system).toMatch(/^Echo,\d+,127\.0\.0\.1$/);
    const text = await until("the three connections counted as closed", async () => {
      const body = (await get(m, "/metrics")).body;
      return /torsion_connections_open\{service="echo",endpoint="tcp:0:interface=127.0.0.1"\} 0/.test(
        body,
      ) &&
        body.includes(
          'torsion_connections_total{service="echo",endpoint="tcp:0:interface=127.0.0.1"} 3',
        )
        ? body
        : undefined;
    });
    expect(text).toContain(
      'torsion_bytes_received_total{service="echo",endpoint="tcp:0:interface=127.0.0.1"} 15',
    );
    t.proc.kill("SIGTERM");
    await until("/healthz 503", async () =>
      (await get(m, "/healthz")).status === 503 ? true : undefined,
    );
    // During the grace the service still answers.
    const c = await client(port);
    expect(await roundTrip(c, "late")).toBe("late");
    c.end();
    expect(await t.exited).toBe(0);
    expect(t.records.some((r) => /waiting 5 s before closing ports/.test(r.msg))).toBe(true);
  });

  it("--workers 2: the primary serves the sum of its workers' counts", async () => {
    const m = await freePort();
    const t = twist(
      "--workers",
      "2",
      "--metrics",
      `tcp:${m}:interface=127.0.0.1`,
      "--metrics-grace",
      "0",
      "echo",
    );
    const port = await echoPort(t);
    await until("/readyz from the primary", async () =>
      (await get(m, "/readyz")).status === 200 ? true : undefined,
    );
    for (let i = 0; i < 6; i++) {
      const c = await client(port);
      await roundTrip(c, "ab");
      c.end();
    }
    const body = await until("six connections over both workers", async () => {
      const b = (await get(m, "/metrics")).body;
      return b.includes(
        'torsion_connections_total{service="echo",endpoint="tcp:0:interface=127.0.0.1"} 6',
      )
        ? b
        : undefined;
    });
    expect(body).toContain(
      'torsion_bytes_sent_total{service="echo",endpoint="tcp:0:interface=127.0.0.1"} 12',
    );
    expect(body).toContain("process_cpu_user_seconds_total");
    t.proc.kill("SIGTERM");
    expect(await t.exited).toBe(0);
  });
});
