import { describe, expect, it } from "vitest";
import { AlreadyCalled, AlreadyCancelled } from "../errors.ts";
import { Clock } from "./clock.ts";

describe("Clock", () => {
  it("starts at 0 and moves only when advanced", () => {
    const clock = new Clock();
    expect(clock.seconds()).toBe(0);
    clock.advance(1.5);
    clock.pump([0.5, 1]);
    expect(clock.seconds()).toBe(3);
  });

  it("returns a pending delayed call with the absolute time it will run at", () => {
    const clock = new Clock();
    clock.advance(10);
    const call = clock.callLater(1, () => {});
    expect(call.getTime()).toBe(11);
    expect(call.active()).toBe(true);
    expect(clock.callLater(1, () => {})).not.toBe(call);
  });

  it("runs a call, with its arguments, once its time has come and not before", () => {
    const clock = new Clock();
    const events: Array<[number, string]> = [];
    const call = clock.callLater(2, (a: number, b: string) => events.push([a, b]), 1, "b");
    clock.advance(1);
    expect(events).toEqual([]);
    clock.advance(1);
    expect(events).toEqual([[1, "b"]]);
    expect(call.active()).toBe(false);
    expect(call.called).toBe(true);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("does not run a cancelled call and forgets it", () => {
    const clock = new Clock();
    let ran = false;
    const call = clock.callLater(1, () => {
      ran = true;
    });
    call.cancel();
    expect(call.active()).toBe(false);
    expect(call.cancelled).toBe(true);
    expect(clock.getDelayedCalls()).toEqual([]);
    clock.advance(2);
    expect(ran).toBe(false);
  });

  it("throws AlreadyCancelled / AlreadyCalled when cancelling, resetting or delaying too late", () => {
    const clock = new Clock();
    const cancelled = clock.callLater(1, () => {});
    cancelled.cancel();
    expect(() => cancelled.cancel()).toThrow(AlreadyCancelled);
    expect(() => cancelled.reset(1)).toThrow(AlreadyCancelled);
    expect(() => cancelled.delay(1)).toThrow(AlreadyCancelled);
    const called = clock.callLater(1, () => {});
    clock.advance(1);
    expect(() => called.cancel()).toThrow(AlreadyCalled);
    expect(() => called.reset(1)).toThrow(AlreadyCalled);
    expect(() => called.delay(1)).toThrow(AlreadyCalled);
  });

  it("marks a call as called before running it, so cancelling from inside throws AlreadyCalled", () => {
    const clock = new Clock();
    let error: unknown;
    const call = clock.callLater(1, () => {
      try {
        call.cancel();
      } catch (e) {
        error = e;
      }
    });
    clock.advance(1);
    expect(error).toBeInstanceOf(AlreadyCalled);
  });

  it("delays a call by the given amount", () => {
    const clock = new Clock();
    const events: string[] = [];
    const call = clock.callLater(1, () => events.push("x"));
    call.delay(1);
    expect(call.getTime()).toBe(2);
    clock.advance(1.5);
    expect(events).toEqual([]);
    clock.advance(1);
    expect(events).toEqual(["x"]);
  });

  it("moves a call sooner with a negative delay", () => {
    const clock = new Clock();
    const events: string[] = [];
    const call = clock.callLater(5, () => events.push("x"));
    call.delay(-4);
    expect(call.getTime()).toBe(1);
    clock.advance(1);
    expect(events).toEqual(["x"]);
  });

  it("resets a call to later, relative to now", () => {
    const clock = new Clock();
    const events: string[] = [];
    const call = clock.callLater(2, () => events.push("x"));
    clock.advance(1);
    call.reset(3);
    expect(call.getTime()).toBe(4);
    clock.advance(2);
    expect(events).toEqual([]);
    clock.advance(1);
    expect(events).toEqual(["x"]);
  });

  it("resets a call to sooner", () => {
    const clock = new Clock();
    const events: string[] = [];
    const call = clock.callLater(4, () => events.push("x"));
    call.reset(3);
    expect(call.getTime()).toBe(3);
    clock.advance(3);
    expect(events).toEqual(["x"]);
  });

  it("runs calls in time order, and calls due at the same time in scheduling order", () => {
    const clock = new Clock();
    const order: string[] = [];
    clock.callLater(3, () => order.push("c"));
    clock.callLater(1, () => order.push("a1"));
    clock.callLater(2, () => order.push("b"));
    clock.callLater(1, () => order.push("a2"));
    clock.callLater(1, () => order.push("a3"));
    clock.advance(10);
    expect(order).toEqual(["a1", "a2", "a3", "b", "c"]);
  });

  it("keeps order when a call is reset later before another is scheduled", () => {
    const clock = new Clock();
    const result: Array<[string, number]> = [];
    const log = (name: string) => result.push([name, clock.seconds()]);
    const a = clock.callLater(1, log, "a");
    a.reset(3);
    clock.callLater(2, log, "b");
    clock.pump([1, 1, 1]);
    expect(result).toEqual([
      ["b", 2],
      ["a", 3],
    ]);
  });

  it("keeps order when a call is reset later after another was scheduled", () => {
    const clock = new Clock();
    const result: Array<[string, number]> = [];
    const log = (name: string) => result.push([name, clock.seconds()]);
    const a = clock.callLater(1, log, "a");
    clock.callLater(2, log, "b");
    a.reset(3);
    clock.pump([1, 1, 1]);
    expect(result).toEqual([
      ["b", 2],
      ["a", 3],
    ]);
  });

  it("keeps order when a call is reset from inside another call", () => {
    const clock = new Clock();
    const result: Array<[string, number]> = [];
    const log = (name: string) => result.push([name, clock.seconds()]);
    const b = clock.callLater(2, log, "b");
    clock.callLater(1, () => b.reset(3));
    clock.callLater(3, log, "c");
    clock.pump(Array(10).fill(0.5));
    expect(result).toEqual([
      ["c", 3],
      ["b", 4],
    ]);
  });

  it("runs, in the same advance, calls scheduled during it for a time not after now", () => {
    const clock = new Clock();
    const order: string[] = [];
    clock.callLater(1, () => {
      order.push("first");
      clock.callLater(0, () => order.push("zero"));
      clock.callLater(0.5, () => order.push("half"));
      clock.callLater(5, () => order.push("later"));
    });
    // The clock is at 2 when the first call runs: "zero" is due at 2, "half" at 2.5.
    clock.advance(2);
    expect(order).toEqual(["first", "zero"]);
    expect(clock.getDelayedCalls().map((c) => c.getTime())).toEqual([2.5, 7]);
  });

  it("lists pending calls in the order they will run", () => {
    const clock = new Clock();
    expect(clock.getDelayedCalls()).toEqual([]);
    const two = clock.callLater(2, () => {});
    const one = clock.callLater(1, () => {});
    expect(clock.getDelayedCalls()).toEqual([one, two]);
    one.reset(3);
    expect(clock.getDelayedCalls()).toEqual([two, one]);
  });

  it("lets an exception from a call reach advance, keeping the other calls scheduled", () => {
    const clock = new Clock();
    const ran: string[] = [];
    clock.callLater(1, () => {
      throw new Error("boom");
    });
    clock.callLater(1, () => ran.push("second"));
    expect(() => clock.advance(1)).toThrow("boom");
    expect(ran).toEqual([]);
    clock.advance(0);
    expect(ran).toEqual(["second"]);
  });

  it("rejects negative delays and advances", () => {
    const clock = new Clock();
    expect(() => clock.callLater(-1, () => {})).toThrow(RangeError);
    expect(() => clock.callLater(Number.NaN, () => {})).toThrow(RangeError);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it("describes a call for logs", () => {
    const clock = new Clock();
    function tick(_n: number) {}
    const call = clock.callLater(2, tick, 7);
    expect(String(call)).toBe("<DelayedCall [2s] called=false cancelled=false tick(7)>");
  });
});
