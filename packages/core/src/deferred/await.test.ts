import { describe, expect, it } from "vitest";
import { CancelledError } from "../errors.ts";
import { Failure } from "../failure.ts";
import { Deferred } from "./deferred.ts";

describe("Deferred as a PromiseLike", () => {
  it("can be awaited for its result, fired before or after the await starts", async () => {
    const ready = new Deferred<number>();
    ready.callback(1);
    expect(await ready).toBe(1);

    const later = new Deferred<string>();
    setImmediate(() => later.callback("later"));
    expect(await later).toBe("later");
  });

  it("throws the Failure's value, not the Failure, from await", async () => {
    const d = new Deferred<number>();
    const err = new RangeError("nope");
    d.errback(err);
    await expect(d).rejects.toBe(err);
  });

  it("awaits the chain's result at the point then() was called", async () => {
    const d = new Deferred<number>();
    d.addCallback((n) => n + 1);
    const p = d.toPromise();
    d.addCallback((n) => n * 100);
    d.callback(1);
    expect(await p).toBe(2);
  });

  it("leaves the result in place, so it can be awaited twice and used further", async () => {
    const d = new Deferred<number>();
    d.callback(5);
    expect(await d).toBe(5);
    expect(await d).toBe(5);
    let after: number | undefined;
    d.addCallback((n) => {
      after = n;
    });
    expect(after).toBe(5);
  });

  it("calls then() handlers asynchronously, like a promise", async () => {
    const d = new Deferred<number>();
    d.callback(1);
    const seen: string[] = [];
    const p = d.then((n) => {
      seen.push(`then ${n}`);
      return n + 1;
    });
    seen.push("after then()");
    expect(await p).toBe(2);
    expect(seen).toEqual(["after then()", "then 1"]);
  });

  it("passes rejections to then()'s onRejected", async () => {
    const d = new Deferred<number>();
    d.errback(new Error("x"));
    const got = await d.then(
      () => "ok",
      (e) => `rejected ${(e as Error).message}`,
    );
    expect(got).toBe("rejected x");
  });

  it("toPromise() gives a native Promise", async () => {
    const d = new Deferred<number>();
    const p = d.toPromise();
    expect(p).toBeInstanceOf(Promise);
    d.callback(3);
    expect(await p).toBe(3);
  });

  it("rejects an awaiting caller with CancelledError when cancelled", async () => {
    const d = new Deferred<number>();
    const p = d.toPromise();
    d.cancel();
    await expect(p).rejects.toBeInstanceOf(CancelledError);
  });
});

describe("Deferred.fromPromise", () => {
  it("fires with the promise's value", async () => {
    const d = Deferred.fromPromise(Promise.resolve(4));
    expect(d.called).toBe(false);
    const seen: number[] = [];
    d.addCallback((n) => {
      seen.push(n);
    });
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([4]);
  });

  it("fails with the rejection wrapped in a Failure", async () => {
    const err = new Error("rejected");
    const d = Deferred.fromPromise(Promise.reject(err));
    const failures: Failure[] = [];
    d.addErrback((f) => {
      failures.push(f);
    });
    await new Promise((r) => setImmediate(r));
    expect(failures[0]).toBeInstanceOf(Failure);
    expect(failures[0]?.value).toBe(err);
  });

  it("ignores the promise settling after the Deferred was fired by other means", async () => {
    let resolve!: (v: number) => void;
    const p = new Promise<number>((r) => {
      resolve = r;
    });
    const d = Deferred.fromPromise(p);
    d.callback(1);
    resolve(2);
    await p;
    await new Promise((r) => setImmediate(r));
    expect(await d).toBe(1);
  });

  it("returns a Deferred unchanged", () => {
    const d = new Deferred<number>();
    expect(Deferred.fromPromise(d)).toBe(d);
  });

  it("can be cancelled, ignoring the promise's later result", async () => {
    let resolve!: (v: number) => void;
    const p = new Promise<number>((r) => {
      resolve = r;
    });
    const d = Deferred.fromPromise(p);
    const failures: Failure[] = [];
    d.addErrback((f) => {
      failures.push(f);
    });
    d.cancel();
    expect(failures[0]?.check(CancelledError)).toBe(CancelledError);
    resolve(1);
    await p;
    await new Promise((r) => setImmediate(r));
    expect(failures).toHaveLength(1);
  });
});
