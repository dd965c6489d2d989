/**
 * `twist --workers N`: N processes sharing the listening sockets through Node's cluster. The
 * primary process runs no service; it starts the workers, restarts one that dies (with
 * backoff), and on SIGINT/SIGTERM stops them all.
 *
 * @module
 */
import cluster, { type Worker } from "node:cluster";
import {
  Deferred,
  globalLogBeginner,
  type IDelayedCall,
  Logger,
  reactor,
  succeed,
} from "@torsion/core";
import { describeReason } from "../errors.ts";
import { startPrimaryMetrics } from "../metrics/primary.ts";
import type { IService } from "../service/service.ts";
import type { RunnerArgs } from "./args.ts";
import { beginLogging } from "./logging.ts";
import { PIDFile } from "./pidfile.ts";

const log = new Logger("torsion.twist.workers");

/** How a worker is doing. */
interface WorkerState {
  worker: Worker;
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
  io: { stderr: { write(text: string): unknown } },
): Promise<number> {
  await build();
  const pidfile = args.pidfile !== undefined ? new PIDFile(args.pidfile) : undefined;
  pidfile?.claim();
  const closeLog = beginLogging({
    file: args.logFile,
    format: args.logFormat,
    level: args.logLevel,
  });
  const workers = new Map<number, WorkerState>();
  const restarts = new Map<number, IDelayedCall>();
  let quickDeaths = 0;
  let stopping = false;
  let failure: string | undefined;
  let allExited: Deferred<void> | undefined;

  const fork = (index: number): void => {
    const worker = cluster.fork({ TORSION_TWIST_WORKER: String(index) });
    workers.set(worker.id, { worker, index, started: false, since: reactor.seconds() });
    worker.on("message", (message: { twist?: string } | null) => {
      const state = workers.get(worker.id);
      if (message?.twist === "started" && state !== undefined && !state.started) {
        state.started = true;
        log.info("Worker {index} (pid {pid}) started", { index, pid: worker.process.pid });
      }
    });
  };

  cluster.on("exit", (worker, code, signal) => {
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
      globalLogBeginner.stopRedirectingStandardIO();
      io.stderr.write(`twist: ${describeReason(failure)}\n`);
      return 1;
    }
    return 0;
  } finally {
    globalLogBeginner.stopRedirectingStandardIO();
    pidfile?.release();
    closeLog();
  }
}
