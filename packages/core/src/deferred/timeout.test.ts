import { describe, expect, it } from "vitest";
import { CancelledError, TimeoutError } from "../errors.ts";
import type { Failure } from "../failure.ts";
import { Clock } from "../testing/clock.ts";
import { Deferred } from "./deferred.ts";

describe("Deferred.addTimeout", () => {
  it("fails with TimeoutError when the time runs out", () => {
    const clock = new Clock();
    const d = new Deferred<number>().addTimeout(10, clock);
    const failures: Failure[] = [];
    d.addErrback((f) => {
      failures.push(f);
    });
    clock.advance(9.9);
    expect(failures).toEqual([]);
    clock.advance(0.1);
    expect(failures[0]?.check(TimeoutError)).toBe(TimeoutError);
  });

  it("cancels the timer when the result arrives first", () => {
    const clock = new Clock();
    const d = new Deferred<number>().addTimeout(10, clock);
    expect(clock.getDelayedCalls()).toHaveLength(1);
    const results: number[] = [];
    d.addCallback((n) => {
      results.push(n);
    });
    d.callback(1);
    expect(results).toEqual([1]);
    expect(clock.getDelayedCalls()).toHaveLength(0);
  });

  it("uses the canceller's own result on timeout", () => {
    const clock = new Clock();
    const d = new Deferred<string>((self) => self.callback("gave up")).addTimeout(1, clock);
    const results: string[] = [];
    d.addCallback((s) => {
      results.push(s);
    });
    clock.advance(1);
    expect(results).toEqual(["gave up"]);
  });

  it("calls onTimeoutCancel with the value and the timeout, only on timeout", () => {
    const clock = new Clock();
    const calls: unknown[] = [];
    const d = new Deferred<number>().addTimeout(5, clock, (value, timeout) => {
      calls.push((value as Failure).check(CancelledError), timeout);
      return "replaced";
    });
    const results: unknown[] = [];
    d.addCallback((v) => {
      results.push(v);
    });
    clock.advance(5);
    expect(calls).toEqual([CancelledError, 5]);
    expect(results).toEqual(["replaced"]);

    const e = new Deferred<number>().addTimeout(5, clock, () => {
      calls.push("must not run");
    });
    e.cancel();
    e.addErrback(() => {});
    expect(calls).toHaveLength(2);
  });

  it("keeps a plain cancel a CancelledError (not a timeout)", () => {
    const clock = new Clock();
    const d = new Deferred<number>().addTimeout(5, clock);
    const failures: Failure[] = [];
    d.addErrback((f) => {
      failures.push(f);
    });
    d.cancel();
    expect(failures[0]?.check(TimeoutError, CancelledError)).toBe(CancelledError);
    expect(clock.getDelayedCalls()).toHaveLength(0);
  });

  it("times out the Deferred the chain waits on", () => {
    const clock = new Clock();
    let innerCancelled = false;
    const inner = new Deferred<number>(() => {
      innerCancelled = true;
    });
    const d = new Deferred<number>();
    d.addCallback(() => inner);
    d.callback(0);
    d.addTimeout(2, clock);
    const failures: Failure[] = [];
    d.addErrback((f) => {
      failures.push(f);
    });
    clock.advance(2);
    expect(innerCancelled).toBe(true);
    expect(failures[0]?.check(TimeoutError)).toBe(TimeoutError);
  });
});
