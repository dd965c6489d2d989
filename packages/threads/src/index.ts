/**
 * `@torsion/threads`: run blocking or CPU-heavy work in worker threads and get a Deferred back
 * ({@link deferToThread}, after Twisted's `twisted.internet.threads`), on a piscina pool.
 *
 * @module
 */

export { deferToThread, deferToThreadPool, getThreadPool, suggestThreadPoolSize } from "./defer.ts";
export type { ThreadPoolOptions } from "./pool.ts";
export { ThreadPool } from "./pool.ts";
export type { Task, TaskArgs, TaskFunction, TaskResult } from "./task.ts";
export { defineTask } from "./task.ts";
