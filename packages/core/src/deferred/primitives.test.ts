import { describe, expect, it } from "vitest";
import { CancelledError, DeferredStateError, QueueOverflow, QueueUnderflow } from "../errors.ts";
import type { Failure } from "../failure.ts";
import { Deferred } from "./deferred.ts";
import { DeferredLock, DeferredQueue, DeferredSemaphore } from "./primitives.ts";

function fired<T>(d: Deferred<T>): { get(): T | undefined; failure(): Failure | undefined } {
  let value: T | undefined;
  let failure: Failure | undefined;
  d.addCallbacks(
    (v) => {
      value = v;
    },
    (f) => {
      failure = f;
    },
  );
  return { get: () => value, failure: () => failure };
}

describe("DeferredLock", () => {
  it("gives the lock at once when free, then queues acquirers in order", () => {
    const lock = new DeferredLock();
    const first = fired(lock.acquire());
    expect(first.get()).toBe(lock);
    expect(lock.locked).toBe(true);
    const second = fired(lock.acquire());
    const third = fired(lock.acquire());
    expect(second.get()).toBeUndefined();
    lock.release();
    expect(second.get()).toBe(lock);
    expect(third.get()).toBeUndefined();
    lock.release();
    expect(third.get()).toBe(lock);
    lock.release();
    expect(lock.locked).toBe(false);
  });

  it("refuses to release an unlocked lock", () => {
    expect(() => new DeferredLock().release()).toThrow(DeferredStateError);
  });

  it("takes a cancelled waiter out of the line", () => {
    const lock = new DeferredLock();
    lock.acquire();
    const waiting = lock.acquire();
    const next = fired(lock.acquire());
    const w = fired(waiting);
    waiting.cancel();
    expect(w.failure()?.check(CancelledError)).toBe(CancelledError);
    lock.release();
    expect(next.get()).toBe(lock);
  });

  it("run() holds the lock until the function's Deferred fires, then releases it", () => {
    const lock = new DeferredLock();
    const inner = new Deferred<string>();
    const result = fired(lock.run((x: number) => inner.addCallback((s) => `${s} ${x}`), 1));
    expect(lock.locked).toBe(true);
    const queued = fired(lock.run(() => "second"));
    expect(queued.get()).toBeUndefined();
    inner.callback("done");
    expect(result.get()).toBe("done 1");
    expect(queued.get()).toBe("second");
    expect(lock.locked).toBe(false);
  });

  it("run() releases the lock when the function throws, and fails with the error", () => {
    const lock = new DeferredLock();
    const r = fired(
      lock.run(() => {
        throw new Error("inside");
      }),
    );
    expect(r.failure()?.getErrorMessage()).toBe("inside");
    expect(lock.locked).toBe(false);
  });

  it("serialises async functions run through it", async () => {
    const lock = new DeferredLock();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setImmediate(r));
      log.push(`end ${name}`);
    };
    await Promise.all([lock.run(task("a")), lock.run(task("b"))]);
    expect(log).toEqual(["start a", "end a", "start b", "end b"]);
  });

  it("releases through Symbol.dispose (using)", () => {
    const lock = new DeferredLock();
    lock.acquire();
    lock[Symbol.dispose]();
    expect(lock.locked).toBe(false);
  });
});

describe("DeferredSemaphore", () => {
  it("lets `limit` holders in at once and queues the rest", () => {
    const sem = new DeferredSemaphore(2);
    expect(sem.limit).toBe(2);
    const a = fired(sem.acquire());
    const b = fired(sem.acquire());
    const c = fired(sem.acquire());
    expect([a.get(), b.get(), c.get()]).toEqual([sem, sem, undefined]);
    expect(sem.tokens).toBe(0);
    sem.release();
    expect(c.get()).toBe(sem);
    sem.release();
    sem.release();
    expect(sem.tokens).toBe(2);
  });

  it("refuses too many releases and a limit below 1", () => {
    expect(() => new DeferredSemaphore(1).release()).toThrow(DeferredStateError);
    expect(() => new DeferredSemaphore(0)).toThrow(RangeError);
  });

  it("takes a cancelled waiter out of the line", () => {
    const sem = new DeferredSemaphore(1);
    sem.acquire();
    const waiting = sem.acquire();
    fired(waiting);
    waiting.cancel();
    sem.release();
    expect(sem.tokens).toBe(1);
  });

  it("run() never runs more than `limit` functions at once", () => {
    const sem = new DeferredSemaphore(2);
    let running = 0;
    let most = 0;
    const gates = Array.from({ length: 5 }, () => new Deferred<void>());
    const results = gates.map((gate, i) =>
      fired(
        sem.run(() => {
          running++;
          most = Math.max(most, running);
          return gate.addCallback(() => {
            running--;
            return i;
          });
        }),
      ),
    );
    for (const gate of gates) gate.callback();
    expect(most).toBe(2);
    expect(results.map((r) => r.get())).toEqual([0, 1, 2, 3, 4]);
    expect(sem.tokens).toBe(2);
  });
});

describe("DeferredQueue", () => {
  it("hands queued objects to gets in order", () => {
    const q = new DeferredQueue<number>();
    q.put(1);
    q.put(2);
    expect(q.length).toBe(2);
    expect(fired(q.get()).get()).toBe(1);
    expect(fired(q.get()).get()).toBe(2);
    expect(q.length).toBe(0);
  });

  it("fires waiting gets, oldest first, as objects are put", () => {
    const q = new DeferredQueue<string>();
    const a = fired(q.get());
    const b = fired(q.get());
    q.put("x");
    expect([a.get(), b.get()]).toEqual(["x", undefined]);
    q.put("y");
    expect(b.get()).toBe("y");
  });

  it("throws QueueOverflow past `size` queued objects", () => {
    const q = new DeferredQueue<number>(1);
    q.put(1);
    expect(() => q.put(2)).toThrow(QueueOverflow);
  });

  it("fails a get with QueueUnderflow past `backlog` waiting gets", () => {
    const q = new DeferredQueue<number>(Infinity, 1);
    q.get();
    expect(fired(q.get()).failure()?.check(QueueUnderflow)).toBe(QueueUnderflow);
  });

  it("takes a cancelled get out of the line", () => {
    const q = new DeferredQueue<number>();
    const cancelled = q.get();
    fired(cancelled);
    const live = fired(q.get());
    cancelled.cancel();
    q.put(5);
    expect(live.get()).toBe(5);
  });
});
