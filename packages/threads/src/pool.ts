/**
 * {@link ThreadPool}: worker threads on a piscina pool, sized and stopped like Twisted's
 * `twisted.python.threadpool.ThreadPool`.
 *
 * @module
 */
import { MessagePort } from "node:worker_threads";
import { CancelledError, Deferred, type IReactorCore, Logger } from "@torsion/core";
import { Piscina } from "piscina";
import { unpackError } from "./remote-error.ts";
import type { Task, TaskFunction, TaskResult } from "./task.ts";

const log = new Logger("torsion.threads");

/** The module every worker loads; it imports the task's module and calls the export. */
const workerEntry = new URL("./worker.mjs", import.meta.url).href;

/** Options for {@link ThreadPool}. */
export interface ThreadPoolOptions {
  /** Workers kept even when idle; default 0 (as Twisted). */
  minThreads?: number;
  /** Most workers running at once; further tasks wait in order. Default 10 (as Twisted). */
  maxThreads?: number;
  /** Seconds an idle worker above `minThreads` lives before it exits; default 30. */
  idleTimeout?: number;
  /** A name for logs. */
  name?: string;
  /**
   * Stop the pool when this reactor shuts down: a `before shutdown` trigger that holds the
   * shutdown until the tasks already submitted have finished.
   */
  reactor?: IReactorCore;
}

/**
 * A pool of worker threads that runs {@link Task}s. Workers start lazily, one per task that
 * finds none idle, up to `maxThreads`; idle ones exit after `idleTimeout`, and idle workers
 * never keep the process alive. Built on piscina.
 *
 * Run tasks with {@link deferToThreadPool}, or {@link deferToThread} on the default pool.
 */
export class ThreadPool {
  /** The pool's name, for logs. */
  readonly name: string;
  readonly #min: number;
  readonly #max: number;
  readonly #idleTimeoutMs: number;
  #piscina: Piscina | undefined;
  #pending = 0;
  #stopping = false;
  #stopped: Promise<void> | undefined;
  #drained: (() => void) | undefined;
  #reactor: IReactorCore | undefined;
  #trigger: unknown;

  /** @throws RangeError for a negative size or `minThreads > maxThreads`. */
  constructor(options: ThreadPoolOptions = {}) {
    const min = options.minThreads ?? 0;
    const max = options.maxThreads ?? 10;
    if (!Number.isInteger(min) || min < 0)
      throw new RangeError(`minThreads must be an integer >= 0, not ${min}`);
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`maxThreads must be an integer >= 1, not ${max}`);
    if (min > max) throw new RangeError(`minThreads (${min}) exceeds maxThreads (${max})`);
    const idle = options.idleTimeout ?? 30;
    if (!(idle >= 0))
      throw new RangeError(`idleTimeout must be a number of seconds >= 0, not ${idle}`);
    this.#min = min;
    this.#max = max;
    this.#idleTimeoutMs = idle * 1000;
    this.name = options.name ?? "ThreadPool";
    if (options.reactor) {
      this.#reactor = options.reactor;
      this.#trigger = options.reactor.addSystemEventTrigger("before", "shutdown", () =>
        this.stop(),
      );
    }
  }

  /** Workers kept even when idle. */
  get minThreads(): number {
    return this.#min;
  }

  /** Most workers running at once. */
  get maxThreads(): number {
    return this.#max;
  }

  /** Workers alive now (0 until the first task). */
  get threads(): number {
    return this.#piscina?.threads.length ?? 0;
  }

  /** Tasks submitted that have not finished (running or waiting for a worker). */
  get pending(): number {
    return this.#pending;
  }

  /** `true` once {@link ThreadPool.stop} was called. */
  get stopped(): boolean {
    return this.#stopping;
  }

  /**
   * Run `task(...args)` in a worker. The arguments and the result cross threads by structured
   * clone (plain data, Buffers, Maps…; no functions); a `MessagePort` among the arguments is
   * transferred, which is how a task reports progress (see {@link deferToThread}).
   *
   * Fires with the task's (awaited) result. Fails with the error the task threw, rebuilt with
   * its class name, message, stack and properties; with `CancelledError` if the pool is stopped.
   * Cancelling the Deferred removes a waiting task from the queue, or terminates the worker
   * running it (a fresh one replaces it).
   */
  run<F extends TaskFunction>(task: Task<F>, args: Parameters<F>): Deferred<TaskResult<F>> {
    if (this.#stopping) {
      const d = new Deferred<TaskResult<F>>();
      d.errback(
        new CancelledError(
          `${this.name} is stopped: task ${task.name} from ${task.module} was not run`,
        ),
      );
      return d;
    }
    const abort = new AbortController();
    const d = new Deferred<TaskResult<F>>(() => abort.abort());
    const transferList = args.filter((a): a is MessagePort => a instanceof MessagePort);
    this.#pending++;
    const settle = (): void => {
      this.#pending--;
      if (this.#pending === 0) this.#drained?.();
    };
    let promise: Promise<TaskResult<F>>;
    try {
      promise = this.#pool().run(
        { module: task.module, name: task.name, args },
        { signal: abort.signal, transferList },
      );
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(
      (result) => {
        settle();
        if (!d.called) d.callback(result);
      },
      (err: unknown) => {
        settle();
        if (!d.called) d.errback(unpackError(err));
      },
    );
    return d;
  }

  /**
   * Stop the pool: refuse new tasks (they fail with `CancelledError`), let the submitted ones
   * finish, then end every worker. Fires once all workers have exited. Calling it again
   * returns a Deferred for the same moment.
   */
  stop(): Deferred<void> {
    if (this.#stopped === undefined) {
      this.#stopping = true;
      if (this.#reactor) {
        // A manual stop needs no shutdown trigger any more (the trigger itself may be what is calling).
        try {
          this.#reactor.removeSystemEventTrigger(this.#trigger);
        } catch {
          // already fired or removed
        }
        this.#reactor = undefined;
      }
      const drained =
        this.#pending === 0
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              this.#drained = resolve;
            });
      this.#stopped = drained.then(() => this.#piscina?.destroy());
    }
    return Deferred.fromPromise(this.#stopped);
  }

  #pool(): Piscina {
    if (this.#piscina === undefined) {
      const piscina = new Piscina({
        filename: workerEntry,
        minThreads: this.#min,
        maxThreads: this.#max,
        idleTimeout: this.#idleTimeoutMs,
        // Let a worker's event loop run between tasks (timers or ports a task left behind).
        atomics: "async",
      });
      // Piscina reports a worker that died between tasks as an 'error' event; without a listener
      // that would be an uncaught exception.
      piscina.on("error", (err: unknown) =>
        log.error("worker of {pool} failed: {error}", { pool: this.name, error: String(err) }),
      );
      this.#piscina = piscina;
    }
    return this.#piscina;
  }
}
