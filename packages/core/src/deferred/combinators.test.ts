import { describe, expect, it } from "vitest";
import { CancelledError, FailureGroup, FirstError } from "../errors.ts";
import type { Failure } from "../failure.ts";
import { DeferredList, gatherResults, race } from "./combinators.ts";
import { Deferred } from "./deferred.ts";

/** Attach an observer now; read the outcome later with `.get()`. */
function watch<T>(d: Deferred<T>): { get(): { ok: boolean; value: unknown } | undefined } {
  let out: { ok: boolean; value: unknown } | undefined;
  d.addCallbacks(
    (value) => {
      out = { ok: true, value };
    },
    (f) => {
      out = { ok: false, value: f };
    },
  );
  return { get: () => out };
}

describe("DeferredList", () => {
  it("fires with [success, value|failure] for each, in order, once all fired", () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const c = new Deferred<number>();
    const w = watch(new DeferredList([a, b, c], { consumeErrors: true }));
    c.callback(3);
    const err = new Error("b failed");
    b.errback(err);
    expect(w.get()).toBeUndefined();
    a.callback(1);
    const result = w.get()?.value as [boolean, unknown][];
    expect(result.map(([ok]) => ok)).toEqual([true, false, true]);
    expect(result[0]![1]).toBe(1);
    expect((result[1]![1] as Failure).value).toBe(err);
    expect(result[2]![1]).toBe(3);
  });

  it("fires at once with [] for an empty list", () => {
    expect(watch(new DeferredList([])).get()).toEqual({ ok: true, value: [] });
  });

  it("fires with [value, index] on the first success with fireOnOneCallback", () => {
    const a = new Deferred<string>();
    const b = new Deferred<string>();
    const w = watch(new DeferredList([a, b], { fireOnOneCallback: true }));
    b.callback("b");
    expect(w.get()).toEqual({ ok: true, value: ["b", 1] });
    a.callback("a"); // later results are ignored by the list
    expect(w.get()).toEqual({ ok: true, value: ["b", 1] });
  });

  it("fails with FirstError on the first failure with fireOnOneErrback", () => {
    const a = new Deferred<string>();
    const b = new Deferred<string>();
    const w = watch(new DeferredList([a, b], { fireOnOneErrback: true, consumeErrors: true }));
    const err = new Error("first");
    b.errback(err);
    const f = w.get()?.value as Failure;
    expect(f.check(FirstError)).toBe(FirstError);
    const first = f.value as FirstError;
    expect(first.index).toBe(1);
    expect((first.subFailure as Failure).value).toBe(err);
  });

  it("leaves failures to the inputs' later errbacks unless consumeErrors", () => {
    const a = new Deferred<number>();
    new DeferredList([a]);
    a.errback(new Error("kept"));
    expect((watch(a).get()!.value as Failure).getErrorMessage()).toBe("kept");

    const b = new Deferred<number>();
    new DeferredList([b], { consumeErrors: true });
    b.errback(new Error("consumed"));
    expect(watch(b).get()).toEqual({ ok: true, value: undefined });
  });

  it("cancels every input when cancelled", () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const dl = new DeferredList([a, b], { consumeErrors: true });
    const w = watch(dl);
    dl.cancel();
    const result = w.get()?.value as [boolean, Failure][];
    expect(result.map(([ok]) => ok)).toEqual([false, false]);
    expect(result.map(([, f]) => f.check(CancelledError))).toEqual([
      CancelledError,
      CancelledError,
    ]);
  });
});

describe("gatherResults", () => {
  it("fires with the values in order", () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const w = watch(gatherResults([a, b]));
    b.callback(2);
    a.callback(1);
    expect(w.get()).toEqual({ ok: true, value: [1, 2] });
  });

  it("fails with FirstError as soon as one fails", () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const w = watch(gatherResults([a, b], true));
    b.errback(new Error("nope"));
    const f = w.get()?.value as Failure;
    expect((f.value as FirstError).index).toBe(1);
  });

  it("can be awaited", async () => {
    const a = new Deferred<string>();
    setImmediate(() => a.callback("x"));
    expect(await gatherResults([a])).toEqual(["x"]);
  });
});

describe("race", () => {
  it("fires with [index, value] of the first success and cancels the others", () => {
    const cancelled: number[] = [];
    const ds = [0, 1, 2].map((i) => new Deferred<string>(() => cancelled.push(i)));
    const w = watch(race(ds));
    ds[1]!.callback("one");
    expect(w.get()).toEqual({ ok: true, value: [1, "one"] });
    expect(cancelled).toEqual([0, 2]);
  });

  it("waits past failures for a success", () => {
    const a = new Deferred<string>();
    const b = new Deferred<string>();
    const w = watch(race([a, b]));
    a.errback(new Error("a"));
    expect(w.get()).toBeUndefined();
    b.callback("b");
    expect(w.get()).toEqual({ ok: true, value: [1, "b"] });
  });

  it("fails with FailureGroup when all fail", () => {
    const a = new Deferred<string>();
    const b = new Deferred<string>();
    const w = watch(race([a, b]));
    b.errback(new Error("b"));
    a.errback(new Error("a"));
    const group = (w.get()!.value as Failure).value as FailureGroup;
    expect(group).toBeInstanceOf(FailureGroup);
    expect(group.failures.map((f) => (f as Failure).getErrorMessage())).toEqual(["a", "b"]);
  });

  it("fails at once for an empty list", () => {
    expect(((watch(race([])).get()!.value as Failure).value as FailureGroup).failures).toEqual([]);
  });

  it("fails with CancelledError and cancels every input when cancelled", () => {
    const a = new Deferred<string>();
    const b = new Deferred<string>();
    const r = race([a, b]);
    const w = watch(r);
    r.cancel();
    expect((w.get()!.value as Failure).check(CancelledError)).toBe(CancelledError);
    expect(a.called && b.called).toBe(true);
  });
});
