import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { APP_FIXTURE, client, fixtureDir, roundTrip, Twist } from "./twist.ts";

let dir: string;
const running: Twist[] = [];

function twist(...args: string[]): Twist {
  const t = new Twist(args, dir);
  running.push(t);
  return t;
}

beforeAll(() => {
  dir = fixtureDir();
});
afterEach(() => {
  for (const t of running.splice(0)) if (t.proc.exitCode === null) t.proc.kill("SIGKILL");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each test starts node at least once: generous on a loaded machine.
describe("twist (child process)", { timeout: 60_000 }, () => {
  it("--help lists the installed plugins with their descriptions", async () => {
    const t = twist("--help");
    expect(await t.exited).toBe(0);
    expect(t.stdout).toMatch(/^Usage: twist \[options\] <plugin>/);
    expect(t.stdout).toMatch(/echo\s+A test echo server\.\s+\(@fixture\/echo\)/);
    expect(t.stdout).toContain("--shutdown-timeout");
  });

  it("<plugin> --help lists the plugin's options", async () => {
    const t = twist("echo", "--help");
    expect(await t.exited).toBe(0);
    expect(t.stdout).toContain("A test echo server. (from @fixture/echo 1.0.0)");
    expect(t.stdout).toMatch(/-l, --listen <value>\s+Endpoint to listen on \(repeatable\)/);
  });

  it("serves a connection and logs it with Twisted's per-connection prefix", async () => {
    const pidfile = join(dir, "serving.pid");
    const t = twist("--pidfile", pidfile, "echo", "--listen", "tcp:0:interface=127.0.0.1");
    const [port] = await t.ports();
    expect(readFileSync(pidfile, "utf8")).toBe(`${t.proc.pid}\n`);
    const c = await client(port!);
    expect(await roundTrip(c, "hello\r\n")).toBe("hello\r\n");
    const made = await t.waitFor(
      () => t.records.find((r) => r.msg === "Connection made"),
      "a connection log line",
    );
    expect(made.system).toMatch(/^Echo,0,127\.0\.0\.1$/);
    expect(t.records.map((r) => r.msg)).toContain(
      `Service echo listening on tcp:127.0.0.1:${port}`,
    );
    c.end();
    const lost = await t.waitFor(
      () => t.records.find((r) => r.msg.startsWith("Connection lost")),
      "a connection-lost line",
    );
    expect(lost.msg).toBe("Connection lost: closed cleanly");
    t.proc.kill("SIGTERM");
    expect(await t.exited).toBe(0);
    expect(existsSync(pidfile)).toBe(false);
  });

  it("on SIGTERM stops listening, lets the open connection finish, then exits 0", async () => {
    // A grace period far longer than the test, so the open connection is never cut short.
    const t = twist("--shutdown-timeout", "120", "echo");
    const [port] = await t.ports();
    const c = await client(port!);
    await roundTrip(c, "before");
    t.proc.kill("SIGTERM");
    await t.waitFor(() => t.records.find((r) => /Closed/.test(r.msg)), "the port to close");
    // New connections are refused; the open one is still served.
    await expect(client(port!)).rejects.toThrow(/ECONNREFUSED/);
    expect(await roundTrip(c, "during shutdown")).toBe("during shutdown");
    expect(t.proc.exitCode).toBe(null);
    c.end();
    expect(await t.exited).toBe(0);
    expect(t.records.some((r) => r.msg === "Stopped.")).toBe(true);
  });

  it("closes connections still open after --shutdown-timeout and exits 0", async () => {
    const t = twist("--shutdown-timeout", "0.5", "echo");
    const [port] = await t.ports();
    const c = await client(port!);
    await roundTrip(c, "x");
    const closed = new Promise<void>((resolve) => c.on("close", () => resolve()));
    t.proc.kill("SIGINT");
    await closed;
    expect(await t.exited).toBe(0);
  });

  it("exits 1 with the reason when a port is in use", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const t = twist("echo", "--listen", `tcp:${port}:interface=127.0.0.1`);
      expect(await t.exited).toBe(1);
      expect(t.stderr).toContain(`Couldn't listen on 127.0.0.1:${port}: Address already in use`);
      expect(t.stderr).toMatch(/^twist: Service echo/);
    } finally {
      blocker.close();
    }
  });

  it("exits 64 with the usage line for a bad endpoint or an unknown option", async () => {
    const bad = twist("echo", "--listen", "bogus:1");
    expect(await bad.exited).toBe(64);
    expect(bad.stderr).toContain("Unknown endpoint type");
    expect(bad.stderr).toContain("Usage: twist [options] <plugin>");
    const unknown = twist("--frobnicate", "echo");
    expect(await unknown.exited).toBe(64);
    const format = twist("--log-format", "xml", "echo");
    expect(await format.exited).toBe(64);
    expect(format.stderr).toContain("--log-format must be text or json");
    const refused = twist("echo", "--refuse", "no such time zone");
    expect(await refused.exited).toBe(1);
    expect(refused.stderr).toMatch(
      /^twist: plugin echo could not make its service: no such time zone \(fix/,
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const missing = twist("nosuchplugin");
    expect(await missing.exited).toBe(64);
    expect(missing.stderr).toMatch(
      /No plugin named "nosuchplugin" is installed \(installed: echo\b/,
    );
  });

  it("--workers 2 serves from two processes", async () => {
    const t = twist("--workers", "2", "echo");
    const [port] = await t.ports();
    await t.waitFor(
      () =>
        t.records.filter((r) => /Worker \d \(pid \d+\) started/.test(r.msg)).length === 2
          ? true
          : undefined,
      "both workers",
    );
    const pids = new Set<number>();
    for (let i = 0; i < 40 && pids.size < 2; i++) {
      const c = await client(port!);
      await roundTrip(c, `ping ${i}`);
      c.end();
      const made = await t.waitFor(() => {
        const lines = t.records.filter((r) => r.msg === "Connection made");
        return lines.length > i ? lines[i] : undefined;
      }, `connection ${i}`);
      pids.add(made.pid);
    }
    expect(pids.size).toBe(2);
    expect(pids.has(t.proc.pid!)).toBe(false);
    t.proc.kill("SIGTERM");
    expect(await t.exited).toBe(0);
  }, 60_000);

  it("--workers restarts a worker that dies, with growing delays", async () => {
    const t = twist("--workers", "2", "echo");
    const startedPids = (): number[] =>
      t.records
        .map((r) => /Worker \d \(pid (\d+)\) started/.exec(r.msg)?.[1])
        .filter((p): p is string => p !== undefined)
        .map(Number);
    await t.waitFor(() => (startedPids().length === 2 ? true : undefined), "both workers");
    // Kill the newest worker twice in a row: each quick death waits longer before the restart
    // (1 s, then 1.5 s: Twisted's backoff). A worker that lived 10 s counts as healthy and is
    // restarted at once, so on a very slow machine the first delay may be 0; the second still
    // grows.
    const delays: number[] = [];
    for (const n of [3, 4]) {
      const victim = startedPids().at(-1)!;
      process.kill(victim, "SIGKILL");
      const died = await t.waitFor(
        () => t.records.find((r) => r.msg.includes(`(pid ${victim}) died`)),
        `worker ${victim} to be reported dead`,
      );
      delays.push(Number(/restarting it in ([\d.]+) s/.exec(died.msg)?.[1]));
      await t.waitFor(() => (startedPids().length === n ? true : undefined), `restart ${n - 2}`);
    }
    expect([0, 1]).toContain(delays[0]);
    expect(delays[1]).toBeGreaterThan(delays[0]!);
    t.proc.kill("SIGTERM");
    expect(await t.exited).toBe(0);
  }, 60_000);

  it("--config composes several plugins in one process", async () => {
    const config = join(dir, "two.json");
    writeFileSync(
      config,
      JSON.stringify({
        services: [
          { plugin: "echo", options: { listen: "tcp:0:interface=127.0.0.1" } },
          { plugin: "echo", args: ["--listen", "tcp:0:interface=127.0.0.1"] },
        ],
      }),
    );
    const t = twist("--config", config);
    const ports = await t.ports(2);
    for (const port of ports) {
      const c = await client(port);
      expect(await roundTrip(c, "hi")).toBe("hi");
      c.end();
    }
    t.proc.kill("SIGTERM");
    expect(await t.exited).toBe(0);
  });

  it("--app runs a module's exported application", async () => {
    const t = twist("--app", APP_FIXTURE);
    const [port] = await t.ports();
    const c = await client(port!);
    expect(await roundTrip(c, "tac")).toBe("tac");
    c.end();
    t.proc.kill("SIGTERM");
    expect(await t.exited).toBe(0);
  });

  it("--pidfile refuses to start when the pid in it is alive", async () => {
    const pidfile = join(dir, "twist.pid");
    writeFileSync(pidfile, `${process.pid}\n`);
    const t = twist("--pidfile", pidfile, "echo");
    expect(await t.exited).toBe(1);
    expect(t.stderr).toContain(`already running with pid ${process.pid}`);
  });
});
