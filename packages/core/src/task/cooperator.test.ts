import { describe, expect, it } from "vitest";
import { Deferred } from "../deferred/deferred.ts";
import { fail } from "../deferred/helpers.ts";
import { NotPaused, SchedulerStopped, TaskDone, TaskFailed, TaskStopped } from "../errors.ts";
import type { Failure } from "../failure.ts";
import { Cooperator, coiterate, cooperate } from "./cooperator.ts";

/** A scheduler the test drives: `pump()` runs the slices scheduled so far. */
class FakeScheduler {
  work: Array<{ fn: () => void; cancelled: boolean }> = [];
  schedule = (fn: () => void): { cancel(): void } => {
    const unit = { fn, cancelled: false };
    this.work.push(unit);
    return {
      cancel: () => {
        unit.cancelled = true;
      },
    };
  };
  pump(): void {
    const work = this.work;
    this.work = [];
    for (const unit of work) if (!unit.cancelled) unit.fn();
  }
  get pending(): number {
    return this.work.filter((u) => !u.cancelled).length;
  }
}

/** One `next()` per slice. */
const oneStepSlices = () => () => true;

function outcome<T>(d: Deferred<T>): { value?: T; failure?: Failure } | undefined {
  let out: { value?: T; failure?: Failure } | undefined;
  d.addCallbacks(
    (value) => {
      out = { value };
    },
    (failure) => {
      out = { failure };
    },
  );
  return out;
}

function setup() {
  const scheduler = new FakeScheduler();
  const cooperator = new Cooperator({
    scheduler: scheduler.schedule,
    terminationPredicateFactory: oneStepSlices,
  });
  return { scheduler, cooperator };
}

describe("Cooperator", () => {
  it("shares slices between tasks round-robin and fires whenDone with the iterator", () => {
    const scheduler = new FakeScheduler();
    // Three steps per slice: the round-robin position carries over between slices.
    const coop = new Cooperator({
      scheduler: scheduler.schedule,
      terminationPredicateFactory: () => {
        let n = 0;
        return () => ++n >= 3;
      },
    });
    const seen: unknown[] = [];
    function* items(things: Iterable<unknown>) {
      for (const t of things) {
        seen.push(t);
        yield;
      }
    }
    const groups = ["abc", [1, 2, 3], "def", [4, 5, 6]];
    const iterators = groups.map((g) => items(g));
    const done = iterators.map((it) => coop.coiterate(it));
    for (let i = 0; i < 20 && scheduler.pending > 0; i++) scheduler.pump();
    expect(seen).toEqual(["a", 1, "d", 4, "b", 2, "e", 5, "c", 3, "f", 6]);
    done.forEach((d, i) => {
      expect(outcome(d)).toEqual({ value: iterators[i] });
    });
  });

  it("ends a slice when the termination predicate says so, and yields between slices", () => {
    const { scheduler, cooperator } = setup();
    const output: number[] = [];
    cooperator.cooperate(
      (function* () {
        for (let i = 0; i < 3; i++) {
          output.push(i);
          yield;
        }
      })(),
    );
    expect(output).toEqual([]);
    scheduler.pump();
    expect(output).toEqual([0]);
    scheduler.pump();
    expect(output).toEqual([0, 1]);
  });

  it("runs until the slice is over with the default 10 ms slices", () => {
    const scheduler = new FakeScheduler();
    const coop = new Cooperator({ scheduler: scheduler.schedule });
    let steps = 0;
    const d = coop.coiterate(
      (function* () {
        for (let i = 0; i < 5; i++) {
          steps++;
          yield;
        }
      })(),
    );
    scheduler.pump();
    // Five cheap steps fit in one slice.
    expect(steps).toBe(5);
    scheduler.pump();
    expect(d.called).toBe(true);
  });

  it("accepts an iterable and fires with its iterator", () => {
    const { scheduler, cooperator } = setup();
    const d = cooperator.coiterate([1, 2]);
    for (let i = 0; i < 3; i++) scheduler.pump();
    expect(typeof (outcome(d)!.value as Iterator<number>).next).toBe("function");
  });

  it("pauses a task on a yielded Deferred until it fires", () => {
    const { scheduler, cooperator } = setup();
    const gate = new Deferred<string>();
    const log: string[] = [];
    cooperator.cooperate(
      (function* () {
        log.push("before");
        yield gate;
        log.push("after");
      })(),
    );
    scheduler.pump();
    scheduler.pump();
    scheduler.pump();
    expect(log).toEqual(["before"]);
    gate.callback("go");
    scheduler.pump();
    expect(log).toEqual(["before", "after"]);
  });

  it("pauses a task on a yielded promise until it resolves", async () => {
    const { scheduler, cooperator } = setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const log: string[] = [];
    cooperator.cooperate(
      (function* () {
        log.push("before");
        yield gate;
        log.push("after");
      })(),
    );
    scheduler.pump();
    scheduler.pump();
    expect(log).toEqual(["before"]);
    release();
    await gate;
    await Promise.resolve();
    scheduler.pump();
    expect(log).toEqual(["before", "after"]);
  });

  it("fails whenDone with what the iterator throws", () => {
    const { scheduler, cooperator } = setup();
    const d = cooperator.coiterate(
      // biome-ignore lint/correctness/useYield: a generator that throws at once
      (function* () {
        throw new RangeError("bad");
      })(),
    );
    scheduler.pump();
    expect(outcome(d)?.failure?.check(RangeError)).toBe(RangeError);
  });

  it("fails whenDone when a yielded Deferred fails, now or later", () => {
    const { scheduler, cooperator } = setup();
    const now = cooperator.coiterate(
      (function* () {
        yield fail(new RangeError("now"));
      })(),
    );
    const later = new Deferred<undefined>();
    const dLater = cooperator.coiterate(
      (function* () {
        yield later;
      })(),
    );
    scheduler.pump();
    scheduler.pump();
    expect(outcome(now)?.failure?.getErrorMessage()).toBe("now");
    later.errback(new RangeError("later"));
    expect(outcome(dLater)?.failure?.getErrorMessage()).toBe("later");
  });

  it("stops running tasks on stop(), failing them with SchedulerStopped and closing the iterators", () => {
    const { scheduler, cooperator } = setup();
    let closed = false;
    let steps = 0;
    const d = cooperator.coiterate(
      (function* () {
        try {
          for (;;) {
            steps++;
            yield;
          }
        } finally {
          closed = true;
        }
      })(),
    );
    scheduler.pump();
    cooperator.stop();
    expect(cooperator.running).toBe(false);
    expect(outcome(d)?.failure?.check(SchedulerStopped)).toBe(SchedulerStopped);
    expect(closed).toBe(true);
    scheduler.pump();
    expect(steps).toBe(1);
    expect(scheduler.pending).toBe(0);
  });

  it("fails a task paused on a Deferred with SchedulerStopped once it resumes after stop()", () => {
    const { scheduler, cooperator } = setup();
    const outstanding = new Deferred<string>();
    let resumedInside = false;
    const d = cooperator.coiterate(
      (function* () {
        yield outstanding;
        resumedInside = true;
      })(),
    );
    scheduler.pump();
    cooperator.stop();
    outstanding.callback("late");
    expect(outcome(d)?.failure?.check(SchedulerStopped)).toBe(SchedulerStopped);
    scheduler.pump();
    expect(resumedInside).toBe(false);
  });

  it("refuses tasks once stopped", () => {
    const { cooperator } = setup();
    cooperator.stop();
    expect(outcome(cooperator.coiterate([]))?.failure?.check(SchedulerStopped)).toBe(
      SchedulerStopped,
    );
  });

  it("holds tasks until start() when made with started: false", () => {
    const scheduler = new FakeScheduler();
    const coop = new Cooperator({ scheduler: scheduler.schedule, started: false });
    expect(coop.running).toBe(false);
    const d = coop.coiterate([1]);
    expect(scheduler.pending).toBe(0);
    coop.start();
    expect(coop.running).toBe(true);
    scheduler.pump();
    scheduler.pump();
    expect(d.called).toBe(true);
  });

  it("cancels the scheduled slice when its last task leaves, and schedules again for a new one", () => {
    const { scheduler, cooperator } = setup();
    const t1 = cooperator.cooperate([1, 2]);
    const t2 = cooperator.cooperate([1, 2]);
    expect(scheduler.pending).toBe(1);
    t1.stop();
    expect(scheduler.pending).toBe(1);
    t2.stop();
    expect(scheduler.pending).toBe(0);
    cooperator.cooperate([1, 2]);
    expect(scheduler.pending).toBe(1);
  });

  it("schedules one slice only when a whenDone callback adds another task", () => {
    const calls: Array<() => void> = [];
    const coop = new Cooperator({
      scheduler: (fn) => {
        expect(calls).toEqual([]);
        calls.push(fn);
        return { cancel() {} };
      },
      terminationPredicateFactory: oneStepSlices,
    });
    const done: unknown[] = [];
    coop.coiterate([]).addCallback(() => {
      coop.coiterate([]).addBoth((r) => done.push(r));
    });
    for (let work = 0; done.length === 0; work++) {
      expect(work).toBeLessThan(50);
      calls.shift()?.();
    }
  });
});

describe("CooperativeTask", () => {
  function worker() {
    const { scheduler, cooperator } = setup();
    const work: unknown[] = [];
    const next = { defer: false, stop: false, die: false };
    const task = cooperator.cooperate(
      (function* () {
        let i = 0;
        for (;;) {
          i++;
          if (next.defer) {
            next.defer = false;
            const d = new Deferred<unknown>();
            work.push(d);
            yield d;
          } else if (next.stop) {
            return;
          } else if (next.die) {
            throw new RangeError("died");
          } else {
            work.push(i);
            yield i;
          }
        }
      })(),
    );
    return { scheduler, task, work, next };
  }

  it("does no work while paused and resumes on the next slice", () => {
    const { scheduler, task, work } = worker();
    scheduler.pump();
    scheduler.pump();
    expect(work).toEqual([1, 2]);
    task.pause();
    scheduler.pump();
    expect(work).toEqual([1, 2]);
    task.resume();
    expect(work).toEqual([1, 2]);
    scheduler.pump();
    expect(work).toEqual([1, 2, 3]);
  });

  it("nests pauses", () => {
    const { scheduler, task, work } = worker();
    task.pause();
    task.pause();
    task.resume();
    scheduler.pump();
    expect(work).toEqual([]);
    task.resume();
    scheduler.pump();
    expect(work).toEqual([1]);
  });

  it("throws NotPaused when resumed more than paused", () => {
    const { task } = worker();
    expect(() => task.resume()).toThrow(NotPaused);
    task.pause();
    task.resume();
    expect(() => task.resume()).toThrow(NotPaused);
  });

  it("needs both the Deferred to fire and a resume when paused while waiting", () => {
    const { scheduler, task, work, next } = worker();
    next.defer = true;
    scheduler.pump();
    expect(work).toHaveLength(1);
    task.pause();
    scheduler.pump();
    task.resume();
    scheduler.pump();
    expect(work).toHaveLength(1);
    (work[0] as Deferred<unknown>).callback("stuff");
    scheduler.pump();
    expect(work).toEqual([work[0], 2]);
  });

  it("fires every whenDone Deferred, each independently, when the iterator ends", () => {
    const { scheduler, task, next } = worker();
    const d1 = task.whenDone();
    const d2 = task.whenDone().addCallback(() => 2);
    next.stop = true;
    scheduler.pump();
    const r1 = outcome(d1)?.value;
    expect(typeof (r1 as Iterator<unknown>).next).toBe("function");
    expect(outcome(d2)).toEqual({ value: 2 });
    expect(outcome(task.whenDone())).toEqual({ value: r1 });
    expect(() => task.pause()).toThrow(TaskDone);
    expect(() => task.stop()).toThrow(TaskDone);
  });

  it("fails whenDone with TaskStopped when stopped, and refuses further control", () => {
    const { scheduler, task, work } = worker();
    const d = task.whenDone();
    task.stop();
    expect(outcome(d)?.failure?.check(TaskStopped)).toBe(TaskStopped);
    scheduler.pump();
    expect(work).toEqual([]);
    expect(() => task.stop()).toThrow(TaskStopped);
    expect(() => task.pause()).toThrow(TaskStopped);
    expect(outcome(task.whenDone())?.failure?.check(TaskStopped)).toBe(TaskStopped);
  });

  it("fails whenDone with the error when the iterator throws; then refuses control with TaskFailed", () => {
    const { scheduler, task, next } = worker();
    const d = task.whenDone();
    next.die = true;
    scheduler.pump();
    expect(outcome(d)?.failure?.getErrorMessage()).toBe("died");
    expect(() => task.pause()).toThrow(TaskFailed);
  });

  it("can be stopped while paused, and resuming it then does no work", () => {
    const { scheduler, task, work } = worker();
    task.pause();
    task.stop();
    task.resume();
    scheduler.pump();
    expect(work).toEqual([]);
  });
});

describe("cooperate and coiterate", () => {
  it("run iterators on the global cooperator (on the default reactor)", async () => {
    const order: string[] = [];
    const task = cooperate(
      (function* () {
        order.push("a");
        yield;
        order.push("b");
      })(),
    );
    const done = coiterate(
      (function* () {
        order.push("x");
        yield;
      })(),
    );
    await task.whenDone();
    await done;
    expect(order.sort()).toEqual(["a", "b", "x"]);
  });
});
