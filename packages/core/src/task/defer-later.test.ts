import { describe, expect, it } from "vitest";
import { Deferred } from "../deferred/deferred.ts";
import { CancelledError } from "../errors.ts";
import type { Failure } from "../failure.ts";
import { Clock } from "../testing/clock.ts";
import { deferLater } from "./defer-later.ts";

class TestError extends Error {}

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

describe("deferLater", () => {
  it("fires with the function's result after the delay, not before", () => {
    const clock = new Clock();
    const calls: Array<[string, string]> = [];
    const flag = {};
    const d = deferLater(
      clock,
      3,
      (foo: string, bar: string) => {
        calls.push([foo, bar]);
        return flag;
      },
      "foo",
      "bar",
    );
    let result: unknown;
    d.addCallback((r) => {
      result = r;
    });
    clock.advance(2);
    expect(calls).toEqual([]);
    expect(result).toBeUndefined();
    clock.advance(1);
    expect(calls).toEqual([["foo", "bar"]]);
    expect(result).toBe(flag);
  });

  it("fires with undefined when no function is given", () => {
    const clock = new Clock();
    const d = deferLater(clock, 2);
    expect(d.called).toBe(false);
    clock.advance(2);
    expect(outcome(d)).toEqual({ value: undefined });
  });

  it("fails with what the function throws", () => {
    const clock = new Clock();
    const d = deferLater(clock, 1, () => {
      throw new TestError();
    });
    clock.advance(1);
    expect(outcome(d)?.failure?.check(TestError)).toBe(TestError);
  });

  it("fires with what a Deferred returned by the function fires with", () => {
    const clock = new Clock();
    const inner = new Deferred<number>();
    const d = deferLater(clock, 1, () => inner);
    clock.advance(1);
    expect(d.called).toBe(true);
    inner.callback(42);
    expect(outcome(d)).toEqual({ value: 42 });
  });

  it("cancels the scheduled call when cancelled, failing with CancelledError", () => {
    const clock = new Clock();
    const called: unknown[] = [];
    const d = deferLater(clock, 1, (x: unknown) => called.push(x), null);
    d.cancel();
    expect(outcome(d)?.failure?.check(CancelledError)).toBe(CancelledError);
    expect(clock.getDelayedCalls()).toEqual([]);
    clock.advance(2);
    expect(called).toEqual([]);
  });

  it("fails instead of throwing for a negative delay", () => {
    const d = deferLater(new Clock(), -1);
    expect(outcome(d)?.failure?.check(RangeError)).toBe(RangeError);
  });

  it("is awaitable", async () => {
    const clock = new Clock();
    const d = deferLater(clock, 5, () => "done");
    clock.advance(5);
    await expect(d).resolves.toBe("done");
  });
});
