/**
 * {@link deferToThread} and friends (Twisted's `twisted.internet.threads` and the reactor's
 * thread pool: `getThreadPool`, `suggestThreadPoolSize`).
 *
 * @module
 */
import { type Deferred, reactor } from "@torsion/core";
import { ThreadPool } from "./pool.ts";
import type { Task, TaskFunction, TaskResult } from "./task.ts";

let defaultPool: ThreadPool | undefined;
let defaultMaxThreads = 10;

/**
 * The default pool that {@link deferToThread} uses, created on first use: up to 10 workers
 * (see {@link suggestThreadPoolSize}), none until a task needs one, stopped when the default
 * `reactor` shuts down. Idle workers never keep the process alive, so a program that never
 * runs the reactor still exits.
 */
export function getThreadPool(): ThreadPool {
  if (defaultPool === undefined || defaultPool.stopped) {
    defaultPool = new ThreadPool({
      maxThreads: defaultMaxThreads,
      name: "default ThreadPool",
      reactor,
    });
  }
  return defaultPool;
}

/**
 * Set the most workers the default pool runs at once (Twisted's `suggestThreadPoolSize`).
 * If the default pool already exists, it is stopped (its tasks finish) and the next
 * {@link deferToThread} starts a new one of the new size.
 *
 * @throws RangeError if `size` is not an integer >= 1.
 */
export function suggestThreadPoolSize(size: number): void {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`thread pool size must be an integer >= 1, not ${size}`);
  defaultMaxThreads = size;
  if (defaultPool !== undefined && defaultPool.maxThreads !== size) {
    void defaultPool.stop();
    defaultPool = undefined;
  }
}

/**
 * Run `task(...args)` in a worker thread of the default pool ({@link getThreadPool}) and fire
 * with its result; the event loop stays free meanwhile. Use it for blocking or CPU-heavy work.
 *
 * The Deferred fails with the error the task threw (its class name, message, stack and
 * properties such as `code` kept; `failure.getTraceback()` shows where in the worker it was
 * thrown), or with `CancelledError` if the pool was stopped. Cancelling it removes the task
 * from the queue or terminates the worker running it.
 *
 * **Progress.** A worker cannot call back into this thread (there is no `callFromThread`):
 * it reports by message passing. Pass one end of a `MessageChannel` as an argument (it is
 * transferred automatically) and `postMessage` on it from the task:
 *
 * ```ts
 * // work.mjs
 * export function count(n, port) {
 *   for (let i = 1; i <= n; i++) if (i % 1000 === 0) port.postMessage(i);
 *   port.close();
 *   return n;
 * }
 * // main.ts
 * const { port1, port2 } = new MessageChannel();
 * port1.on("message", (done) => console.log(`${done} done`));
 * // The worker closes its end when done; every message posted before arrives before "close".
 * const closed = new Promise((resolve) => port1.once("close", resolve));
 * const total = await deferToThread(defineTask(new URL("./work.mjs", import.meta.url), "count"), 10_000, port2);
 * await closed;
 * ```
 *
 * The result can arrive before the last progress messages (they travel on another channel):
 * closing `port1` as soon as the result is in would drop them.
 */
export function deferToThread<F extends TaskFunction>(
  task: Task<F>,
  ...args: Parameters<F>
): Deferred<TaskResult<F>> {
  return getThreadPool().run(task, args);
}

/**
 * Run `task(...args)` in a worker of `pool` (Twisted's `deferToThreadPool`, without the reactor
 * argument: the pool was given one, if any). Fires and fails as {@link deferToThread}.
 */
export function deferToThreadPool<F extends TaskFunction>(
  pool: ThreadPool,
  task: Task<F>,
  ...args: Parameters<F>
): Deferred<TaskResult<F>> {
  return pool.run(task, args);
}
