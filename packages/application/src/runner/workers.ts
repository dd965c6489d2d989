/**
 * `twist --workers N`: N processes sharing the listening sockets through Node's cluster. The
 * primary process runs no service; it starts the workers, restarts one that dies (with
 * backoff), and on SIGINT/SIGTERM stops them all.
 *
 * @module
 */
import cluster from "node:cluster";
import { Deferred, type IDelayedCall, Logger, succeed } from "@torsion/core";
import { describeReason } from "../errors.ts";
import { startPrimaryMetrics } from "../metrics/primary.ts";
import type { IService } from "../service/service.ts";
import type { RunnerReactor } from "./helpers.ts";
import type { RunnerArgs } from "./options.ts";
import { PIDFile } from "./pidfile.ts";
import { installProcessHandlers, type ProcessEvents } from "./process-handlers.ts";

const log = new Logger("torsion.twist.workers");

/** What the primary uses of a cluster worker. */
export interface ClusterWorker {
  readonly id: number;
  readonly process: { readonly pid?: number | undefined; kill(signal: NodeJS.Signals): unknown };
  on(event: "message", listener: (message: { twist?: string } | null) => void): unknown;
}

/** What the primary uses of `node:cluster` (a fake one in tests). */
export interface ClusterPrimary {
  fork(env: Record<string, string>): ClusterWorker;
  on(
    event: "exit",
    listener: (worker: ClusterWorker, code: number | null, signal: string | null) => void,
  ): unknown;
}

/** How a worker is doing. */
interface WorkerState {
  worker: ClusterWorker;
  index: number;
  started: boolean;
  /** When it was forked (reactor seconds). */
  since: number;
}

/** A worker that lived this long before dying is restarted without delay growth. */
const HEALTHY_SECONDS = 10;

/**
 * The primary's side of `--workers`. The service tree is made once here (so a usage error is
 * reported before any worker starts) but not started; each worker makes and starts its own.
 *
 * @returns The exit code: 0 after a clean stop, 1 if a worker failed to start.
 */
export async function runPrimary(
  args: RunnerArgs,
  build: () => Promise<IService>,
  startLogging: () => () => void,
  io: { stderr: { write(text: string): unknown }; processEvents?: ProcessEvents },
  reactor: RunnerReactor,
  primary: ClusterPrimary = cluster as unknown as ClusterPrimary,
): Promise<number> {
  await build();
  const closeLog = startLogging();
  const pidfile = args.pidfile !== undefined ? new PIDFile(args.pidfile) : undefined;
  try {
    pidfile?.claim();
  } catch (error) {
    closeLog();
    throw error;
  }
  const workers = new Map<number, WorkerState>();
  const restarts = new Map<number, IDelayedCall>();
  let quickDeaths = 0;
  let stopping = false;
  let failure: string | undefined;
  let allExited: Deferred<void> | undefined;

  const fork = (index: number): void => {
    const worker = primary.fork({ TORSION_TWIST_WORKER: String(index) });
    workers.set(worker.id, { worker, index, started: false, since: reactor.seconds() });
    worker.on("message", (message: { twist?: string } | null) => {
      const state = workers.get(worker.id);
      if (message?.twist === "started" && state !== undefined && !state.started) {
        state.started = true;
        log.info("Worker {index} (pid {pid}) started", { index, pid: worker.process.pid });
      }
    });
  };

  primary.on("exit", (worker, code, signal) => {
    const state = workers.get(worker.id);
    if (state === undefined) return;
    workers.delete(worker.id);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (stopping) {
      log.info("Worker {index} (pid {pid}) exited with {how}", {
        index: state.index,
        pid: worker.process.pid,
        how,
      });
      if (workers.size === 0) allExited?.callback(undefined);
      return;
    }
    if (!state.started) {
      failure = `worker ${state.index} (pid ${worker.process.pid}) exited with ${how} before it started`;
      log.critical("{failure}; stopping", { failure });
      stopReactor();
      return;
    }
    const lived = reactor.seconds() - state.since;
    quickDeaths = lived >= HEALTHY_SECONDS ? 0 : quickDeaths + 1;
    // Twisted's backoff (1, 1.5, 2.25 … 60 s) for a worker that keeps dying; none after a long life.
    const delay = quickDeaths === 0 ? 0 : Math.min(1.5 ** (quickDeaths - 1), 60);
    log.warn("Worker {index} (pid {pid}) died with {how}; restarting it in {delay} s", {
      index: state.index,
      pid: worker.process.pid,
      how,
      delay,
    });
    restarts.set(
      state.index,
      reactor.callLater(delay, () => {
        restarts.delete(state.index);
        fork(state.index);
      }),
    );
  });

  const stopReactor = (): void => {
    try {
      reactor.stop();
    } catch {
      // Already stopping.
    }
  };

  reactor.addSystemEventTrigger("before", "shutdown", () => {
    stopping = true;
    for (const call of restarts.values()) call.cancel();
    restarts.clear();
    if (workers.size === 0) return succeed(undefined);
    allExited = new Deferred<void>();
    for (const { worker } of workers.values()) worker.process.kill("SIGTERM");
    // A worker that does not stop within its own grace period (plus a margin) is killed.
    const kill = reactor.callLater(args.shutdownTimeout + 5, () => {
      for (const { worker } of workers.values()) worker.process.kill("SIGKILL");
    });
    return allExited.addCallback(() => {
      if (kill.active()) kill.cancel();
    });
  });

  const removeHandlers = installProcessHandlers(io.processEvents ?? process, () => {
    failure = "the primary stopped after an uncaught exception (see the log)";
    stopReactor();
  });
  try {
    log.info("twist primary (pid {pid}) starting {n} workers", {
      pid: process.pid,
      n: args.workers,
    });
    const stopped = reactor.run();
    if (args.metrics !== undefined) {
      const ready = () => [...workers.values()].filter((w) => w.started).length === args.workers;
      startPrimaryMetrics({ endpoint: args.metrics, reactor, ready });
    }
    for (let i = 0; i < args.workers; i++) fork(i);
    await stopped;
    if (failure !== undefined) {
      closeLog();
      io.stderr.write(`twist: ${describeReason(failure)}\n`);
      return 1;
    }
    return 0;
  } finally {
    removeHandlers();
    pidfile?.release();
    closeLog();
  }
}
