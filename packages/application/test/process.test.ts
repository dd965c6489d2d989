/**
 * The real `twist` in child processes, for what only a real process shows: how connections
 * over loopback are logged, the process-wide error handlers, and the pid file under a race.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { installPlugin, MISBEHAVING_PLUGIN } from "./in-process.ts";
import { client, fixtureDir, roundTrip, Twist } from "./twist.ts";

let dir: string;
const running: Twist[] = [];

function twist(...args: string[]): Twist {
  const t = new Twist(args, dir);
  running.push(t);
  return t;
}

beforeAll(() => {
  dir = fixtureDir();
  installPlugin(dir, "misbehave", "misbehave", MISBEHAVING_PLUGIN);
});
afterEach(() => {
  for (const t of running.splice(0)) if (t.proc.exitCode === null) t.proc.kill("SIGKILL");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("twist (child process): errors and connections", { timeout: 60_000 }, () => {
  it("logs each connection by how it ended: clean close, reset by the peer, aborted", async () => {
    const t = twist("echo");
    const [port] = await t.ports();
    const lost = (n: number) =>
      t.waitFor(() => {
        const lines = t.records.filter((r) => r.msg.startsWith("Connection lost"));
        return lines.length >= n ? lines[n - 1]!.msg : undefined;
      }, `connection-lost line ${n}`);
    const clean = await client(port!);
    await roundTrip(clean, "x");
    clean.end();
    expect(await lost(1)).toBe("Connection lost: closed cleanly");
    const reset = await client(port!);
    await roundTrip(reset, "x");
    reset.resetAndDestroy();
    expect(await lost(2)).toBe("Connection lost: lost (ECONNRESET)");
    const aborted = await client(port!);
    aborted.on("error", () => {});
    aborted.write("ABORT");
    expect(await lost(3)).toBe("Connection lost: aborted");
    t.proc.kill("SIGTERM");
    expect(await t.exited).toBe(0);
  });

  it("an async callback's rejection aborts its connection only, logged with its prefix", async () => {
    const t = twist("misbehave", "--do", "async-reject");
    const [port] = await t.ports();
    const closed = (s: Socket) => new Promise<void>((resolve) => s.on("close", () => resolve()));
    const failure = (callback: string) =>
      t.waitFor(
        () => t.records.find((r) => r.msg === `Unhandled error in ${callback}`),
        `the ${callback} failure`,
      );
    // The first connection's async connectionMade rejects: that connection is aborted.
    // (Not `client()`: the reset may come before its connect callback.)
    const first = connect(port!, "127.0.0.1");
    first.on("error", () => {});
    await closed(first);
    const made = await failure("connectionMade");
    expect(made.system).toMatch(/^Flaky,\d+,127\.0\.0\.1$/);
    expect(JSON.stringify(made)).toContain("connectionMade gave up on connection 1");
    // Another connection is served, before and after a third one's async dataReceived rejects.
    const served = await client(port!);
    expect(await roundTrip(served, "x")).toBe("x");
    const boom = await client(port!);
    boom.on("error", () => {});
    boom.write("BOOM");
    await closed(boom);
    const data = await failure("dataReceived");
    expect(data.system).toMatch(/^Flaky,\d+,127\.0\.0\.1$/);
    expect(data.system).not.toBe(made.system);
    expect(JSON.stringify(data)).toContain("dataReceived blew up");
    expect(await roundTrip(served, "still here")).toBe("still here");
    const lost = t.records.filter((r) => r.msg.startsWith("Connection lost")).map((r) => r.msg);
    expect(lost).toEqual([
      "Connection lost: aborted (connectionMade threw connectionMade gave up on connection 1)",
      "Connection lost: aborted (dataReceived threw dataReceived blew up)",
    ]);
    expect(t.records.some((r) => r.msg.startsWith("Unhandled error in a promise"))).toBe(false);
    served.end();
    t.proc.kill("SIGTERM");
    expect(await t.exited).toBe(0);
  });

  it("an unhandled rejection is logged with its stack and the server keeps serving", async () => {
    const t = twist("misbehave", "--do", "reject");
    const record = await t.waitFor(
      () => t.records.find((r) => r.msg.startsWith("Unhandled error")),
      "the unhandled error",
    );
    expect(JSON.stringify(record)).toContain("nobody handled me");
    expect(JSON.stringify(record)).toMatch(/at .*plugin\.js/);
    expect(t.proc.exitCode).toBe(null);
    t.proc.kill("SIGINT");
    expect(await t.exited).toBe(0);
  });

  it("an uncaught exception is logged as critical, the services stop, and it exits 1", async () => {
    const t = twist("misbehave", "--do", "uncaught");
    expect(await t.exited).toBe(1);
    const critical = t.records.find((r) => r.level === 60 && /^Uncaught exception/.test(r.msg));
    expect(critical).toBeDefined();
    expect(JSON.stringify(critical)).toContain("thrown from a timer");
    expect(
      t.records.some((r) => r.msg === "Stopped after an uncaught exception; exiting with status 1"),
    ).toBe(true);
    expect(t.stderr).toBe(
      "twist: stopped after an uncaught exception (see the log); fix the code that threw it\n",
    );
  });

  for (const initially of ["absent", "stale"] as const) {
    it(`of 20 twist started at once on one pid file (${initially}), exactly one runs`, async () => {
      const pidfile = join(dir, `race-${initially}.pid`);
      // A pid no process has: beyond the kernel's default pid_max.
      if (initially === "stale") writeFileSync(pidfile, "4194304\n");
      const all = Array.from({ length: 20 }, () => twist("--pidfile", pidfile, "echo"));
      // Every loser exits 1 saying another is running; the winner keeps running. (No time
      // limit but the test's: on a loaded machine 20 node processes take a while to start.)
      const exitedOnes: Twist[] = [];
      await new Promise<void>((resolve) => {
        for (const t of all)
          void t.exited.then(() => {
            exitedOnes.push(t);
            if (exitedOnes.length === 19) resolve();
          });
      });
      const winner = all.find((t) => !exitedOnes.includes(t))!;
      await winner.ports(1, 90_000);
      expect(exitedOnes).toHaveLength(19);
      for (const t of exitedOnes) {
        expect(t.proc.exitCode).toBe(1);
        expect(t.stderr).toMatch(/^twist: Another twist is already running with pid \d+/);
      }
      expect(readFileSync(pidfile, "utf8")).toBe(`${winner.proc.pid}\n`);
      winner.proc.kill("SIGTERM");
      expect(await winner.exited).toBe(0);
    }, 180_000);
  }
});
