import { MessageChannel } from "node:worker_threads";
import { CancelledError, createReactor, type Deferred, type Failure } from "@torsion/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  deferToThread,
  deferToThreadPool,
  defineTask,
  getThreadPool,
  suggestThreadPoolSize,
  ThreadPool,
} from "../src/index.ts";
import type * as Tasks from "./fixtures/tasks.mjs";

const tasks = new URL("./fixtures/tasks.mjs", import.meta.url);
const add = defineTask<typeof Tasks.add>(tasks, "add");
const later = defineTask<typeof Tasks.later<string>>(tasks, "later");
const echo = defineTask<typeof Tasks.default<unknown>>(tasks);
const failCustom = defineTask<typeof Tasks.failCustom>(tasks, "failCustom");
const failType = defineTask<typeof Tasks.failType>(tasks, "failType");
const failWithCause = defineTask<typeof Tasks.failWithCause>(tasks, "failWithCause");
const throwString = defineTask<typeof Tasks.throwString>(tasks, "throwString");
const gated = defineTask<typeof Tasks.gated>(tasks, "gated");
const progress = defineTask<typeof Tasks.progress>(tasks, "progress");

const pools: ThreadPool[] = [];
function makePool(options: ConstructorParameters<typeof ThreadPool>[0] = {}): ThreadPool {
  const pool = new ThreadPool(options);
  pools.push(pool);
  return pool;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.stop()));
});

/** The failure a Deferred fails with (and fail the test if it succeeds). */
async function failureOf(d: Deferred<unknown>): Promise<Failure> {
  let failure: Failure | undefined;
  await d.addErrback((f: Failure) => {
    failure = f;
  });
  if (failure === undefined) throw new Error("expected the Deferred to fail");
  return failure;
}

/** Poll (bounded, generous) until `condition()` holds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("defineTask", () => {
  it("names a module URL and an export, default 'default'", () => {
    expect(defineTask(tasks, "add")).toEqual({ module: tasks.href, name: "add" });
    expect(defineTask(tasks).name).toBe("default");
    expect(defineTask(tasks.pathname, "add").module).toBe(tasks.href);
  });
  it("refuses a relative path and an empty name", () => {
    expect(() => defineTask("./tasks.mjs")).toThrow(TypeError);
    expect(() => defineTask(tasks, "")).toThrow(TypeError);
  });
});

describe("deferToThread", () => {
  it("fires with the task's result, computed in another thread", async () => {
    expect(await deferToThread(add, 2, 3)).toBe(5);
    const r = await deferToThread(later, "hi");
    expect(r.value).toBe("hi");
    expect(r.threadId).not.toBe(0);
  });

  it("calls the default export and clones arguments and results", async () => {
    const value = { a: [1, 2], b: new Map([["k", Buffer.from("v")]]) };
    const out = (await deferToThread(echo, value)) as typeof value;
    expect(out).toEqual({ a: [1, 2], b: new Map([["k", new Uint8Array(Buffer.from("v"))]]) });
    expect(out).not.toBe(value);
  });

  it("suggestThreadPoolSize resizes the default pool: the old one stops, the next is new", async () => {
    const before = getThreadPool();
    suggestThreadPoolSize(3);
    try {
      expect(before.stopped).toBe(true);
      const after = getThreadPool();
      expect(after).not.toBe(before);
      expect(after.maxThreads).toBe(3);
      expect(await deferToThread(add, 1, 2)).toBe(3);
      expect(() => suggestThreadPoolSize(0)).toThrow(RangeError);
    } finally {
      suggestThreadPoolSize(10);
    }
  });

  it("uses one lazily created default pool of up to 10 workers", () => {
    const pool = getThreadPool();
    expect(getThreadPool()).toBe(pool);
    expect(pool.maxThreads).toBe(10);
    expect(pool.minThreads).toBe(0);
  });
});

describe("errors from the worker", () => {
  it("arrive as a Failure carrying the worker's error: name, message, stack and properties", async () => {
    const pool = makePool();
    const f = await failureOf(deferToThreadPool(pool, failCustom, "over quota"));
    const err = f.value as Error & { code?: string };
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("QuotaError");
    expect(f.getErrorMessage()).toBe("over quota");
    expect(err.code).toBe("E_QUOTA");
    expect(f.getTraceback()).toContain("tasks.mjs");
    expect(f.getTraceback()).toContain("failCustom");
  });

  it("keep built-in classes and causes", async () => {
    const pool = makePool();
    const f = await failureOf(deferToThreadPool(pool, failType));
    expect(f.check(TypeError)).toBe(TypeError);
    const g = await failureOf(deferToThreadPool(pool, failWithCause));
    expect(g.getErrorMessage()).toBe("outer");
    expect((g.value as Error).cause).toBeInstanceOf(RangeError);
    const h = await failureOf(deferToThreadPool(pool, throwString));
    expect(h.value).toBe("just a string");
  });

  it("a missing export or module fails clearly, and the pool keeps working", async () => {
    const pool = makePool();
    const f = await failureOf(deferToThreadPool(pool, defineTask(tasks, "nope")));
    expect(f.check(TypeError)).toBe(TypeError);
    expect(f.getErrorMessage()).toContain('no exported function named "nope"');
    const g = await failureOf(deferToThreadPool(pool, defineTask(tasks, "notAFunction")));
    expect(g.getErrorMessage()).toContain("notAFunction");
    const h = await failureOf(
      deferToThreadPool(pool, defineTask(new URL("./fixtures/missing.mjs", import.meta.url))),
    );
    expect(h.getErrorMessage()).toContain("missing.mjs");
    expect(await deferToThreadPool(pool, add, 1, 1)).toBe(2);
  });

  it("arguments that cannot cross threads fail the Deferred, not the process", async () => {
    const pool = makePool();
    const f = await failureOf(deferToThreadPool(pool, echo, () => 1));
    expect(f.getErrorMessage()).toMatch(/could not be cloned/i);
  });
});

describe("ThreadPool", () => {
  it("starts no worker until a task needs one", async () => {
    const pool = makePool();
    expect(pool.threads).toBe(0);
    await deferToThreadPool(pool, add, 1, 2);
    expect(pool.threads).toBeGreaterThanOrEqual(1);
  });

  it("never runs more than maxThreads tasks at once; the rest wait in order", async () => {
    const pool = makePool({ maxThreads: 2 });
    const shared = new SharedArrayBuffer(16);
    const state = new Int32Array(shared);
    const ds = [1, 2, 3, 4, 5].map((id) => deferToThreadPool(pool, gated, shared, id));
    await until(() => Atomics.load(state, 0) === 2, "two tasks running");
    expect(pool.pending).toBe(5);
    expect(pool.threads).toBe(2);
    expect(Atomics.load(state, 3)).toBe(2); // the other three have not started
    Atomics.store(state, 2, 1);
    Atomics.notify(state, 2);
    expect(await Promise.all(ds)).toEqual([1, 2, 3, 4, 5]);
    expect(Atomics.load(state, 1)).toBe(2);
    expect(pool.pending).toBe(0);
  });

  it("validates its sizes", () => {
    expect(() => new ThreadPool({ maxThreads: 0 })).toThrow(RangeError);
    expect(() => new ThreadPool({ minThreads: 3, maxThreads: 2 })).toThrow(RangeError);
  });

  it("cancelling a running task terminates its worker; the pool goes on", async () => {
    const pool = makePool({ maxThreads: 1 });
    const shared = new SharedArrayBuffer(16);
    const state = new Int32Array(shared);
    const running = deferToThreadPool(pool, gated, shared, 1);
    const waiting = deferToThreadPool(pool, gated, shared, 2);
    await until(() => Atomics.load(state, 3) === 1, "the first task to start");
    waiting.cancel();
    running.cancel();
    expect((await failureOf(running)).check(CancelledError)).toBe(CancelledError);
    expect((await failureOf(waiting)).check(CancelledError)).toBe(CancelledError);
    expect(Atomics.load(state, 3)).toBe(1); // the waiting one never ran
    expect(await deferToThreadPool(pool, add, 20, 22)).toBe(42);
  });

  it("reports progress through a MessagePort passed as an argument", async () => {
    const pool = makePool();
    const { port1, port2 } = new MessageChannel();
    const seen: number[] = [];
    port1.on("message", (m: { done: number }) => seen.push(m.done));
    const closed = new Promise((resolve) => port1.once("close", resolve));
    expect(await deferToThreadPool(pool, progress, 5, port2)).toBe("finished");
    await closed; // every message posted before the worker closed its end has been delivered
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it("stop() lets submitted tasks finish, then refuses new ones with CancelledError", async () => {
    const pool = new ThreadPool({ maxThreads: 1 });
    const shared = new SharedArrayBuffer(16);
    const state = new Int32Array(shared);
    const a = deferToThreadPool(pool, gated, shared, 1);
    const b = deferToThreadPool(pool, gated, shared, 2);
    await until(() => Atomics.load(state, 3) === 1, "the first task to start");
    let stopped = false;
    const stopping = pool.stop().addCallback(() => {
      stopped = true;
    });
    expect(pool.stopped).toBe(true);
    const refused = deferToThreadPool(pool, add, 1, 2);
    expect((await failureOf(refused)).check(CancelledError)).toBe(CancelledError);
    expect(stopped).toBe(false);
    Atomics.store(state, 2, 1);
    Atomics.notify(state, 2);
    expect(await Promise.all([a, b])).toEqual([1, 2]);
    await stopping;
    expect(stopped).toBe(true);
    expect(pool.threads).toBe(0);
  });

  it("stops when its reactor shuts down, holding the shutdown until running tasks finish", async () => {
    const reactor = createReactor();
    const pool = new ThreadPool({ reactor });
    const shared = new SharedArrayBuffer(16);
    const state = new Int32Array(shared);
    const task = deferToThreadPool(pool, gated, shared, 7);
    let result: number | undefined;
    task.addCallback((r) => {
      result = r;
    });
    await until(() => Atomics.load(state, 3) === 1, "the task to start");
    const ran = reactor.run({ installSignalHandlers: false });
    reactor.callWhenRunning(() => {
      reactor.stop();
      // Release the task only once shutdown has begun: the pool must wait for it.
      setTimeout(() => {
        Atomics.store(state, 2, 1);
        Atomics.notify(state, 2);
      }, 20);
    });
    await ran;
    expect(result).toBe(7);
    expect(pool.stopped).toBe(true);
    expect(pool.threads).toBe(0);
  });
});
