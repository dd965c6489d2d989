import { describe, expect, it } from "vitest";
import { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../failure.ts";
import { reactor } from "../reactor/default.ts";
import { Clock } from "../testing/clock.ts";
import { LoopingCall } from "./looping-call.ts";

class TestError extends Error {}

function loopOn<A extends unknown[]>(
  clock: Clock,
  fn: (...args: A) => unknown,
  ...args: A
): LoopingCall<A> {
  const loop = new LoopingCall(fn, ...args);
  loop.clock = clock;
  return loop;
}

/** The result a Deferred has already fired with, or a throw if it has none. */
function resultOf<T>(d: Deferred<T>): T {
  let result: { value: T } | undefined;
  d.addCallback((value) => {
    result = { value };
    return value;
  });
  if (result === undefined) throw new Error("Deferred has no result");
  return result.value;
}

function failureOf(d: Deferred<unknown>): Failure {
  let failure: Failure | undefined;
  d.addErrback((f) => {
    failure = f;
  });
  if (failure === undefined) throw new Error("Deferred has not failed");
  return failure;
}

describe("LoopingCall", () => {
  it("uses the default reactor as its clock", () => {
    expect(new LoopingCall(() => {}).clock).toBe(reactor);
  });

  it("calls the function with its arguments now and then every interval", () => {
    const clock = new Clock();
    const calls: Array<[string, string, number]> = [];
    const loop = loopOn(
      clock,
      (a: string, b: string) => calls.push([a, b, clock.seconds()]),
      "a",
      "b",
    );
    const d = loop.start(0.1);
    expect(loop.running).toBe(true);
    expect(loop.interval).toBe(0.1);
    clock.pump([0.05, 0.1, 0.1]);
    expect(calls.map(([a, b]) => [a, b])).toEqual([
      ["a", "b"],
      ["a", "b"],
      ["a", "b"],
    ]);
    loop.stop();
    expect(loop.running).toBe(false);
    expect(resultOf(d)).toBe(loop);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("waits one interval before the first call when now is false", () => {
    const clock = new Clock();
    let count = 0;
    const loop = loopOn(clock, () => count++);
    const d = loop.start(0.1, false);
    expect(count).toBe(0);
    clock.pump([0.05, 0.1, 0.1]);
    expect(count).toBe(2);
    loop.stop();
    expect(resultOf(d)).toBe(loop);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("rejects a negative interval and a second start", () => {
    const loop = loopOn(new Clock(), () => {});
    expect(() => loop.start(-1)).toThrow(RangeError);
    loop.start(1);
    expect(() => loop.start(1)).toThrow(/already running/);
  });

  it("throws when stopped or reset while not running", () => {
    const loop = loopOn(new Clock(), () => {});
    expect(() => loop.stop()).toThrow(/not running/);
    expect(() => loop.reset()).toThrow(/not running/);
  });

  for (const interval of [0, 10]) {
    it(`makes no call once stopped before the first (interval ${interval})`, () => {
      const clock = new Clock();
      let ran = false;
      const loop = loopOn(clock, () => {
        ran = true;
      });
      loop.start(interval, false);
      loop.stop();
      clock.advance(20);
      expect(ran).toBe(false);
      expect(clock.getDelayedCalls()).toEqual([]);
    });
  }

  it("skips the next call and restarts the interval on reset", () => {
    const clock = new Clock();
    let ran = false;
    const loop = loopOn(clock, () => {
      ran = true;
    });
    loop.start(2, false);
    clock.advance(1);
    loop.reset();
    clock.advance(1);
    expect(ran).toBe(false);
    clock.advance(1);
    expect(ran).toBe(true);
  });

  it("skips the intervals missed while the function ran", () => {
    const clock = new Clock();
    const times: number[] = [];
    let callDuration = 2;
    const loop = loopOn(clock, () => {
      times.push(clock.seconds());
      clock.advance(callDuration);
    });
    loop.start(0.5);
    expect(times).toEqual([0]);
    expect(clock.seconds()).toBe(2);
    // A call was due at 2, but 2 is the present, not the future: skipped.
    clock.advance(0);
    expect(times).toEqual([0]);
    callDuration = 1;
    clock.advance(0.5);
    expect(times).toEqual([0, 2.5]);
    expect(clock.seconds()).toBe(3.5);
    clock.advance(0);
    expect(times).toEqual([0, 2.5]);
    callDuration = 0;
    clock.advance(0.5);
    expect(times).toEqual([0, 2.5, 4]);
  });

  it("skips the intervals missed while the clock did not run it", () => {
    const clock = new Clock();
    const times: number[] = [];
    loopOn(clock, () => times.push(clock.seconds())).start(0.5);
    clock.advance(2);
    expect(times).toEqual([0, 2]);
    clock.advance(1);
    expect(times).toEqual([0, 2, 3]);
    clock.advance(0);
    expect(times).toEqual([0, 2, 3]);
  });

  it("does not call again until the Deferred the function returned has fired", () => {
    const clock = new Clock();
    let calls = 0;
    let pending: Deferred<undefined> | undefined;
    const loop = loopOn(clock, () => {
      calls++;
      pending = new Deferred<undefined>();
      return pending;
    });
    const d = loop.start(0.2);
    clock.advance(1);
    expect(calls).toBe(1);
    pending!.callback(undefined);
    expect(calls).toBe(1);
    clock.advance(0.2);
    expect(calls).toBe(2);
    // stop() while the function's Deferred is pending fires start()'s Deferred once it settles.
    loop.stop();
    let fired = false;
    d.addCallback(() => {
      fired = true;
    });
    expect(fired).toBe(false);
    pending!.callback(undefined);
    expect(fired).toBe(true);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("waits for a promise returned by the function", async () => {
    const clock = new Clock();
    let calls = 0;
    let resolve!: () => void;
    const loop = loopOn(clock, () => {
      calls++;
      return new Promise<void>((r) => {
        resolve = r;
      });
    });
    loop.start(1);
    clock.advance(5);
    expect(calls).toBe(1);
    resolve();
    await Promise.resolve();
    await Promise.resolve();
    clock.advance(1);
    expect(calls).toBe(2);
    loop.stop();
  });

  it("an async function's rejection fails start()'s Deferred and stops, as a throw does", async () => {
    const clock = new Clock();
    let calls = 0;
    const loop = loopOn(clock, async () => {
      calls++;
      await Promise.resolve();
      if (calls === 2) throw new Error("async tick failed");
    });
    let reason: Failure | undefined;
    loop.start(1).addErrback((f: Failure) => {
      reason = f;
    });
    for (let i = 0; i < 4; i++) await Promise.resolve();
    clock.advance(1);
    for (let i = 0; i < 4; i++) await Promise.resolve();
    expect(reason?.getErrorMessage()).toBe("async tick failed");
    expect(loop.running).toBe(false);
    clock.advance(5);
    expect(calls).toBe(2);
  });

  it("fails start()'s Deferred with what the function threw, and stops", () => {
    const clock = new Clock();
    const loop = loopOn(
      clock,
      (message: string) => {
        throw new TestError(message);
      },
      "bar",
    );
    const d = loop.start(0.1);
    const failure = failureOf(d);
    expect(failure.check(TestError)).toBe(TestError);
    expect(failure.getErrorMessage()).toBe("bar");
    expect(loop.running).toBe(false);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("fails start()'s Deferred when the function stops the loop and then throws", () => {
    const clock = new Clock();
    const loop: LoopingCall<[]> = loopOn(clock, () => {
      loop.stop();
      throw new TestError("x");
    });
    expect(failureOf(loop.start(0.1)).check(TestError)).toBe(TestError);
  });

  it("fails start()'s Deferred when the function's Deferred fails", () => {
    const clock = new Clock();
    const loop = loopOn(clock, () => {
      const d = new Deferred<undefined>();
      clock.callLater(0.3, () => d.errback(new TestError()));
      return d;
    });
    const d = loop.start(1);
    clock.pump([0.3]);
    expect(failureOf(d).check(TestError)).toBe(TestError);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("stops from inside the function, firing start()'s Deferred", () => {
    const clock = new Clock();
    let ran = 0;
    const loop: LoopingCall<[]> = loopOn(clock, () => {
      ran++;
      if (ran > 5) loop.stop();
    });
    const d = loop.start(0);
    clock.pump([0, 0, 0, 0, 0, 0]);
    expect(ran).toBe(6);
    expect(resultOf(d)).toBe(loop);
  });

  it("can be started again after it stopped", () => {
    const clock = new Clock();
    let ran = 0;
    const loop = loopOn(clock, () => ran++);
    loop.start(1);
    loop.stop();
    loop.start(1);
    expect(ran).toBe(2);
    loop.stop();
  });

  describe("withCount", () => {
    it("passes how many intervals elapsed since the previous call", () => {
      const clock = new Clock();
      const times: Array<[number, number]> = [];
      const loop = LoopingCall.withCount((count) => times.push([clock.seconds(), count]));
      loop.clock = clock;
      loop.start(0.5);
      expect(times).toEqual([[0, 1]]);
      clock.advance(0.51);
      expect(times).toEqual([
        [0, 1],
        [0.51, 1],
      ]);
      clock.advance(1.51);
      expect(times).toEqual([
        [0, 1],
        [0.51, 1],
        [2.02, 3],
      ]);
      clock.advance(0);
      expect(times).toHaveLength(3);
    });

    it("counts only the intervals that were expected, not time since the last call", () => {
      const clock = new Clock();
      const times: Array<[number, number]> = [];
      const loop = LoopingCall.withCount((count) => times.push([clock.seconds(), count]));
      loop.clock = clock;
      loop.start(0.5);
      expect(times.pop()).toEqual([0, 1]);
      clock.advance(0.51);
      expect(times.pop()).toEqual([0.51, 1]);
      clock.advance(0.875);
      expect(times.pop()).toEqual([1.385, 1]);
      clock.advance(0.125);
      expect(times.pop()).toEqual([1.51, 1]);
    });

    it("never passes 0 and sums to the number of intervals despite floating point", () => {
      const clock = new Clock();
      const counts: number[] = [];
      const loop = LoopingCall.withCount((count) => counts.push(count));
      loop.clock = clock;
      const interval = 1 / 10;
      loop.start(interval, false);
      for (let i = 0; i < 10; i++) clock.advance(interval);
      const epsilon =
        1 -
        Array(10)
          .fill(interval)
          .reduce((a, b) => a + b, 0);
      expect(Math.abs(epsilon)).toBeGreaterThan(0);
      clock.advance(epsilon);
      expect(clock.seconds()).toBeGreaterThanOrEqual(1);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(10);
      expect(counts).not.toContain(0);
    });

    it("always passes 1 with an interval of 0", () => {
      const clock = new Clock();
      const counts: number[] = [];
      const loop: LoopingCall<[]> = LoopingCall.withCount((count) => {
        counts.push(count);
        if (counts.length > 4) loop.stop();
      });
      loop.clock = clock;
      const d = loop.start(0, false);
      clock.advance(0);
      expect(resultOf(d)).toBe(loop);
      expect(counts).toEqual([1, 1, 1, 1, 1]);
    });

    it("counts from the last call when the interval changes after a pause on a Deferred", () => {
      const clock = new Clock();
      const held = new Deferred<undefined>();
      const counts: number[] = [];
      const loop = LoopingCall.withCount((count) => {
        counts.push(count);
        return counts.length === 2 ? held : undefined;
      });
      loop.clock = clock;
      loop.start(0, false);
      clock.advance(10);
      expect(counts).toEqual([1, 1]);
      loop.interval = 2;
      held.callback(undefined);
      clock.advance(7);
      expect(counts).toEqual([1, 1, 3]);
      clock.advance(2);
      expect(counts).toEqual([1, 1, 3, 1]);
      clock.advance(4);
      expect(counts).toEqual([1, 1, 3, 1, 2]);
    });

    it("counts the intervals skipped while the function's Deferred was pending", () => {
      const clock = new Clock();
      const held = new Deferred<undefined>();
      const counts: number[] = [];
      const loop = LoopingCall.withCount((count) => {
        counts.push(count);
        return counts.length === 1 ? held : undefined;
      });
      loop.clock = clock;
      loop.start(0.2, false);
      clock.pump([0.2, 0.4]);
      expect(counts).toEqual([1]);
      held.callback(undefined);
      clock.pump([0.2]);
      expect(counts).toEqual([1, 3]);
    });
  });

  it("describes itself for logs", () => {
    function tick() {}
    const loop = loopOn(new Clock(), tick);
    loop.start(2, false);
    expect(String(loop)).toBe("LoopingCall<2>(tick)");
  });
});
