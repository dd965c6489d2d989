/** `--workers`' primary on a fake cluster and a MemoryReactor: start, restart with backoff, stop. */
import { EventEmitter } from "node:events";
import { globalLogPublisher, type LogEvent } from "@torsion/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Application } from "../src/index.ts";
import { parseRunnerArgs } from "../src/runner/options.ts";
import type { ClusterPrimary, ClusterWorker } from "../src/runner/workers.ts";
import { runPrimary } from "../src/runner/workers.ts";
import { RunnerTestReactor } from "./in-process.ts";

class FakeWorker extends EventEmitter implements ClusterWorker {
  readonly signals: string[] = [];
  readonly process: { pid: number; kill: (signal: NodeJS.Signals) => void };
  constructor(
    readonly id: number,
    readonly env: Record<string, string>,
  ) {
    super();
    this.process = { pid: 1000 + id, kill: (signal) => this.signals.push(signal) };
  }
  started(): void {
    this.emit("message", { twist: "started" });
  }
}

class FakeCluster extends EventEmitter implements ClusterPrimary {
  readonly workers: FakeWorker[] = [];
  fork(env: Record<string, string>): FakeWorker {
    const w = new FakeWorker(this.workers.length + 1, env);
    this.workers.push(w);
    return w;
  }
  exit(w: FakeWorker, code: number | null, signal: string | null = null): void {
    this.emit("exit", w, code, signal);
  }
}

let messages: string[] = [];
const observer = (e: LogEvent): void => {
  messages.push(String(e.log_format).replace(/\{(\w+)\}/g, (_, k) => String(e[k])));
};
beforeEach(() => {
  messages = [];
  globalLogPublisher.addObserver(observer);
});
afterEach(() => globalLogPublisher.removeObserver(observer));

function start(workers: number, shutdownTimeout = 10) {
  const reactor = new RunnerTestReactor();
  const cluster = new FakeCluster();
  let stderr = "";
  let built = 0;
  const events = new EventEmitter();
  const args = parseRunnerArgs([
    "--workers",
    String(workers),
    "--shutdown-timeout",
    String(shutdownTimeout),
    "echo",
  ]);
  const exited = runPrimary(
    args,
    async () => {
      built++;
      return new Application("x");
    },
    () => () => {},
    { stderr: { write: (t: string) => (stderr += t) }, processEvents: events },
    reactor,
    cluster,
  );
  const settle = async () => {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  };
  return { reactor, cluster, events, exited, settle, stderr: () => stderr, built: () => built };
}

describe("runPrimary", () => {
  it("forks n workers (building the tree once, unstarted), and on stop SIGTERMs them and exits 0", async () => {
    const { reactor, cluster, exited, settle, built } = start(3);
    await settle();
    expect(built()).toBe(1);
    expect(cluster.workers.map((w) => w.env.TORSION_TWIST_WORKER)).toEqual(["0", "1", "2"]);
    for (const w of cluster.workers) w.started();
    expect(messages.filter((m) => /^Worker \d \(pid \d+\) started$/.test(m))).toHaveLength(3);
    reactor.stop();
    expect(cluster.workers.every((w) => w.signals.join() === "SIGTERM")).toBe(true);
    for (const w of cluster.workers) cluster.exit(w, 0);
    expect(await exited).toBe(0);
  });

  it("a worker that exits before it started stops everything and exits 1", async () => {
    const { cluster, exited, settle, stderr } = start(2);
    await settle();
    cluster.workers[0]!.started();
    cluster.exit(cluster.workers[1]!, 3);
    // Stopping: the other worker is told to stop, and exits.
    expect(cluster.workers[0]!.signals).toEqual(["SIGTERM"]);
    cluster.exit(cluster.workers[0]!, 0);
    expect(await exited).toBe(1);
    expect(stderr()).toBe("twist: worker 1 (pid 1002) exited with code 3 before it started\n");
  });

  it("restarts a worker that dies, waiting longer after each quick death (1, 1.5 s)", async () => {
    const { reactor, cluster, exited, settle } = start(1);
    await settle();
    cluster.workers[0]!.started();
    reactor.advance(1);
    cluster.exit(cluster.workers[0]!, null, "SIGKILL");
    expect(messages.at(-1)).toBe(
      "Worker 0 (pid 1001) died with signal SIGKILL; restarting it in 1 s",
    );
    reactor.advance(0.99);
    expect(cluster.workers).toHaveLength(1);
    reactor.advance(0.01);
    expect(cluster.workers).toHaveLength(2);
    cluster.workers[1]!.started();
    cluster.exit(cluster.workers[1]!, 1);
    expect(messages.at(-1)).toMatch(/restarting it in 1\.5 s$/);
    // A worker that lived 10 s is healthy: restarted at once.
    reactor.advance(1.5);
    cluster.workers[2]!.started();
    reactor.advance(10);
    cluster.exit(cluster.workers[2]!, 1);
    expect(messages.at(-1)).toMatch(/restarting it in 0 s$/);
    reactor.advance(0);
    expect(cluster.workers).toHaveLength(4);
    cluster.workers[3]!.started();
    reactor.stop();
    cluster.exit(cluster.workers[3]!, 0);
    expect(await exited).toBe(0);
  });

  it("a pending restart is cancelled on stop, and a worker that ignores SIGTERM is killed", async () => {
    const { reactor, cluster, exited, settle } = start(2, 2);
    await settle();
    for (const w of cluster.workers) w.started();
    cluster.exit(cluster.workers[0]!, 1);
    reactor.stop();
    reactor.advance(100);
    expect(cluster.workers).toHaveLength(2); // no restart after the stop
    const stubborn = cluster.workers[1]!;
    expect(stubborn.signals).toEqual(["SIGTERM", "SIGKILL"]);
    cluster.exit(stubborn, null, "SIGKILL");
    expect(await exited).toBe(0);
    expect(messages.some((m) => m === "Worker 1 (pid 1002) exited with signal SIGKILL")).toBe(true);
  });

  it("an uncaught exception in the primary stops the workers and exits 1", async () => {
    const { cluster, events, exited, settle, stderr } = start(1);
    await settle();
    cluster.workers[0]!.started();
    events.emit("uncaughtException", new Error("primary bug"));
    expect(cluster.workers[0]!.signals).toEqual(["SIGTERM"]);
    cluster.exit(cluster.workers[0]!, 0);
    expect(await exited).toBe(1);
    expect(stderr()).toBe("twist: the primary stopped after an uncaught exception (see the log)\n");
    expect(events.listenerCount("uncaughtException")).toBe(0);
  });

  it("stops at once when no worker is left", async () => {
    const { reactor, cluster, exited, settle } = start(1);
    await settle();
    cluster.workers[0]!.started();
    cluster.exit(cluster.workers[0]!, 1);
    reactor.stop();
    expect(await exited).toBe(0);
  });
});
