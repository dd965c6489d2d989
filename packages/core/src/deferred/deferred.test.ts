import { describe, expect, it } from "vitest";
import { AlreadyCalledError, CancelledError, DeferredStateError } from "../errors.ts";
import { Failure } from "../failure.ts";
import { Deferred } from "./deferred.ts";

/** Record the chain's final outcome without leaving a Failure unhandled. */
function outcome<T>(d: Deferred<T>): { result?: T; failure?: Failure; done: boolean } {
  const o: { result?: T; failure?: Failure; done: boolean } = { done: false };
  d.addCallbacks(
    (r) => {
      o.result = r;
      o.done = true;
    },
    (f) => {
      o.failure = f;
      o.done = true;
    },
  );
  return o;
}

describe("Deferred callbacks", () => {
  it("runs callbacks in order, each getting the previous result", () => {
    const d = new Deferred<number>();
    const seen: unknown[] = [];
    d.addCallback((n) => {
      seen.push(n);
      return n + 1;
    })
      .addCallback((n) => {
        seen.push(n);
        return String(n * 10);
      })
      .addCallback((s) => {
        seen.push(s);
      });
    expect(seen).toEqual([]);
    d.callback(1);
    expect(seen).toEqual([1, 2, "20"]);
    expect(d.called).toBe(true);
  });

  it("runs a callback added after firing synchronously, with the current result", () => {
    const d = new Deferred<string>();
    d.callback("x");
    let got: string | undefined;
    d.addCallback((v) => {
      got = v;
    });
    expect(got).toBe("x");
  });

  it("passes extra arguments to callbacks and errbacks", () => {
    const d = new Deferred<number>();
    const seen: unknown[] = [];
    d.addCallback(
      (n, a: string, b: number) => {
        seen.push(n, a, b);
        throw new Error("boom");
      },
      "a",
      2,
    ).addErrback((f, c: string) => {
      seen.push(f.getErrorMessage(), c);
    }, "c");
    d.callback(1);
    expect(seen).toEqual([1, "a", 2, "boom", "c"]);
  });

  it("switches to the errback chain on a throw and back on a returned value", () => {
    const d = new Deferred<number>();
    const seen: string[] = [];
    d.addCallback(() => {
      throw new RangeError("bad");
    })
      .addCallback(() => seen.push("skipped callback"))
      .addErrback((f) => {
        seen.push(`eb ${f.check(RangeError)?.name}`);
        return 5;
      })
      .addErrback(() => seen.push("skipped errback"))
      .addCallback((v) => seen.push(`cb ${v}`));
    d.callback(0);
    expect(seen).toEqual(["eb RangeError", "cb 5"]);
  });

  it("treats a returned Failure like a throw", () => {
    const d = new Deferred<number>();
    const o = outcome(d.addCallback(() => new Failure(new Error("returned"))));
    d.callback(1);
    expect(o.failure?.getErrorMessage()).toBe("returned");
  });

  it("keeps a Failure re-thrown by trap as the same Failure", () => {
    const d = new Deferred<void>();
    const first = new Failure(new TypeError("t"));
    const o = outcome(d.addErrback((f) => f.trap(RangeError)));
    d.errback(first);
    expect(o.failure).toBe(first);
  });

  it("wraps a non-Failure errback reason in a Failure", () => {
    const d = new Deferred<void>();
    const err = new Error("e");
    const o = outcome(d);
    d.errback(err);
    expect(o.failure).toBeInstanceOf(Failure);
    expect(o.failure?.value).toBe(err);
  });

  it("gives addBoth the result or the Failure", () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const seen: unknown[] = [];
    a.addBoth((r) => seen.push(r));
    b.addBoth((r) => seen.push(r instanceof Failure ? "failure" : r));
    a.callback(1);
    b.errback(new Error("x"));
    expect(seen).toEqual([1, "failure"]);
  });

  it("runs exactly one side of addCallbacks, not the errback for the callback's own throw", () => {
    const d = new Deferred<number>();
    const seen: string[] = [];
    const o = outcome(
      d.addCallbacks(
        () => {
          seen.push("cb");
          throw new Error("from cb");
        },
        () => {
          seen.push("eb");
        },
      ),
    );
    d.callback(1);
    expect(seen).toEqual(["cb"]);
    expect(o.failure?.getErrorMessage()).toBe("from cb");
  });

  it("passes args given through addCallbacks options", () => {
    const d = new Deferred<number>();
    const seen: unknown[] = [];
    d.addCallbacks((n, x: string) => seen.push(n, x), null, { callbackArgs: ["x"] });
    d.callback(1);
    const e = new Deferred<number>();
    e.addCallbacks(
      () => seen.push("not me"),
      (f, y: string) => seen.push(f.getErrorMessage(), y),
      { errbackArgs: ["y"] },
    );
    e.errback(new Error("err"));
    expect(seen).toEqual([1, "x", "err", "y"]);
  });

  it("describes itself with toString", () => {
    const d = new Deferred<number>();
    expect(String(d)).toBe("<Deferred>");
    d.callback(3);
    expect(String(d)).toBe("<Deferred current result: 3>");
    const outer = new Deferred<number>();
    outer.addCallback(() => new Deferred<number>());
    outer.callback(0);
    expect(String(outer)).toBe("<Deferred waiting on Deferred>");
  });

  it("runs callbacks added from inside a callback after it, not recursively", () => {
    const d = new Deferred<number>();
    const seen: string[] = [];
    d.addCallback((n) => {
      d.addCallback((m) => {
        seen.push(`inner ${m}`);
      });
      seen.push("outer done");
      return n + 1;
    });
    d.callback(1);
    expect(seen).toEqual(["outer done", "inner 2"]);
  });

  it("rejects a second fire with AlreadyCalledError", () => {
    const d = new Deferred<number>();
    d.callback(1);
    expect(() => d.callback(2)).toThrow(AlreadyCalledError);
    expect(() => d.errback(new Error("x"))).toThrow(AlreadyCalledError);
  });

  it("refuses a Deferred as a callback result", () => {
    const d = new Deferred<unknown>();
    expect(() => d.callback(new Deferred())).toThrow(TypeError);
    expect(d.called).toBe(false);
  });

  it("fails the chain when a callback returns the Deferred itself", () => {
    const d = new Deferred<unknown>();
    d.addCallback(() => d);
    const o = outcome(d);
    d.callback(1);
    expect(o.failure?.value).toBeInstanceOf(TypeError);
  });
});

describe("Deferred typing", () => {
  it("is covariant in its result type, like Promise, and retypes through callbacks", async () => {
    const d = new Deferred<number>((self: Deferred<number>) => self.callback(0));
    const wide: Deferred<unknown> = d; // compile-time check: Deferred<number> is a Deferred<unknown>
    const s: Deferred<string> = d.addCallback((n) => String(n));
    const fromInner: Deferred<boolean> = s.addCallback(() => new Deferred<boolean>());
    expect(wide).toBe(fromInner);
  });
});

describe("Deferred chaining", () => {
  it("waits for a Deferred returned by a callback, then continues with its result", () => {
    const outer = new Deferred<number>();
    const inner = new Deferred<string>();
    const seen: unknown[] = [];
    outer.addCallback(() => inner).addCallback((s) => seen.push(s));
    outer.callback(1);
    expect(seen).toEqual([]);
    expect(outer.paused).toBe(1);
    inner.callback("inner result");
    expect(seen).toEqual(["inner result"]);
    expect(outer.paused).toBe(0);
  });

  it("takes the result of an already-fired returned Deferred at once", () => {
    const outer = new Deferred<number>();
    const inner = new Deferred<string>();
    inner.callback("ready");
    const o = outcome(outer.addCallback(() => inner));
    outer.callback(1);
    expect(o.result).toBe("ready");
  });

  it("carries a failure of the returned Deferred into the outer errbacks", () => {
    const outer = new Deferred<number>();
    const inner = new Deferred<string>();
    const o = outcome(outer.addCallback(() => inner));
    outer.callback(1);
    inner.errback(new Error("inner failed"));
    expect(o.failure?.getErrorMessage()).toBe("inner failed");
  });

  it("gives callbacks added to a returned Deferred after the handoff no result", () => {
    const outer = new Deferred<number>();
    const inner = new Deferred<number>();
    const seen: unknown[] = [];
    outer.addCallback(() => inner).addCallback((v) => seen.push(["outer", v]));
    outer.callback(0);
    inner.addCallback((v) => seen.push(["inner after", v]));
    inner.callback(5);
    expect(seen).toEqual([
      ["outer", 5],
      ["inner after", undefined],
    ]);
  });

  it("waits for a native promise returned by a callback", async () => {
    const d = new Deferred<number>();
    const o = outcome(d.addCallback(async (n) => n * 2));
    d.callback(21);
    expect(o.done).toBe(false);
    await d;
    expect(o.result).toBe(42);
  });

  it("waits for any thenable returned by a callback, and fails with its rejection", async () => {
    const d = new Deferred<number>();
    const thenable: PromiseLike<never> = {
      // biome-ignore lint/suspicious/noThenProperty: testing a foreign thenable
      then(_ok, bad) {
        queueMicrotask(() => bad?.(new Error("thenable rejected")));
        return Promise.resolve() as never;
      },
    };
    const o = outcome(d.addCallback(() => thenable));
    d.callback(1);
    await new Promise((r) => setImmediate(r));
    expect(o.failure?.getErrorMessage()).toBe("thenable rejected");
  });

  it("fails the chain when a returned thenable's then() throws", () => {
    const d = new Deferred<number>();
    const bad = {
      // biome-ignore lint/suspicious/noThenProperty: testing a broken thenable
      then(): never {
        throw new Error("then exploded");
      },
    };
    const o = outcome(d.addCallback(() => bad as PromiseLike<number>));
    d.callback(1);
    expect(o.failure?.getErrorMessage()).toBe("then exploded");
  });

  it("runs 100,000 callbacks on one Deferred without growing the stack", () => {
    const d = new Deferred<number>();
    for (let i = 0; i < 100_000; i++) d.addCallback((n: number) => n + 1);
    const o = outcome(d as Deferred<number>);
    d.callback(0);
    expect(o.result).toBe(100_000);
  });

  it("resolves 100,000 nested returned Deferreds without stack overflow", () => {
    const n = 100_000;
    const ds: Deferred<number>[] = [];
    for (let i = 0; i <= n; i++) ds.push(new Deferred<number>());
    // ds[i]'s callback returns ds[i + 1]: each waits on the next; the last one fires.
    for (let i = 0; i < n; i++) {
      const next = ds[i + 1]!;
      ds[i]!.addCallback(() => next);
    }
    for (let i = 0; i < n; i++) ds[i]!.callback(i);
    const o = outcome(ds[0]!);
    expect(o.done).toBe(false);
    ds[n]!.callback(7);
    expect(o.result).toBe(7);
    expect(ds[0]!.paused).toBe(0);
  });

  it("resolves 100,000 nested already-waiting Deferreds built inside-out", () => {
    const n = 100_000;
    const last = new Deferred<number>();
    let d = last;
    for (let i = 0; i < n; i++) {
      const inner = d;
      const outer = new Deferred<number>();
      outer.addCallback(() => inner);
      outer.callback(0);
      d = outer;
    }
    const o = outcome(d);
    last.callback(3);
    expect(o.result).toBe(3);
  });

  it("chainDeferred makes another Deferred fire with this result", () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const o = outcome(b);
    a.chainDeferred(b);
    a.callback(9);
    expect(o.result).toBe(9);
  });
});

describe("Deferred pause", () => {
  it("holds callbacks while paused and runs them on unpause", () => {
    const d = new Deferred<number>();
    const seen: number[] = [];
    d.pause();
    d.pause();
    d.addCallback((n) => {
      seen.push(n);
    });
    d.callback(1);
    expect(seen).toEqual([]);
    d.unpause();
    expect(seen).toEqual([]);
    d.unpause();
    expect(seen).toEqual([1]);
  });

  it("stops between callbacks when a callback pauses", () => {
    const d = new Deferred<number>();
    const seen: string[] = [];
    d.addCallback((n) => {
      d.pause();
      seen.push("first");
      return n;
    }).addCallback(() => {
      seen.push("second");
    });
    d.callback(1);
    expect(seen).toEqual(["first"]);
    d.unpause();
    expect(seen).toEqual(["first", "second"]);
  });

  it("throws DeferredStateError on unpause without pause", () => {
    expect(() => new Deferred().unpause()).toThrow(DeferredStateError);
  });
});

describe("Deferred cancel", () => {
  it("fails with CancelledError when there is no canceller", () => {
    const d = new Deferred<number>();
    const o = outcome(d);
    d.cancel();
    expect(o.failure?.check(CancelledError)).toBe(CancelledError);
  });

  it("swallows the one late fire after a cancel without canceller", () => {
    const d = new Deferred<number>();
    outcome(d);
    d.cancel();
    expect(() => d.callback(1)).not.toThrow();
    expect(() => d.callback(1)).toThrow(AlreadyCalledError);
  });

  it("calls the canceller, which may fire the Deferred itself", () => {
    const calls: unknown[] = [];
    const d = new Deferred<string>((self) => {
      calls.push(self);
      self.callback("cancelled nicely");
    });
    const o = outcome(d);
    d.cancel();
    expect(calls).toEqual([d]);
    expect(o.result).toBe("cancelled nicely");
    // The canceller fired it, so a late fire is a real error.
    expect(() => d.callback("late")).toThrow(AlreadyCalledError);
  });

  it("errbacks with CancelledError if the canceller does not fire it, and does not suppress later", () => {
    const d = new Deferred<string>(() => {});
    const o = outcome(d);
    d.cancel();
    expect(o.failure?.check(CancelledError)).toBe(CancelledError);
    expect(() => d.callback("late")).toThrow(AlreadyCalledError);
  });

  it("does nothing once fired", () => {
    let cancelled = 0;
    const d = new Deferred<number>(() => cancelled++);
    const o = outcome(d);
    d.callback(1);
    d.cancel();
    expect(cancelled).toBe(0);
    expect(o.result).toBe(1);
  });

  it("forwards to the Deferred the chain waits on", () => {
    let innerCancelled = 0;
    const inner = new Deferred<number>(() => innerCancelled++);
    const outer = new Deferred<number>();
    const o = outcome(outer.addCallback(() => inner));
    outer.callback(1);
    outer.cancel();
    expect(innerCancelled).toBe(1);
    expect(o.failure?.check(CancelledError)).toBe(CancelledError);
  });

  it("aborts its signal when cancelled", () => {
    const d = new Deferred<number>();
    outcome(d);
    const signal = d.signal;
    expect(signal.aborted).toBe(false);
    d.cancel();
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(CancelledError);
  });

  it("gives an already-aborted signal after cancel, and a quiet one after a normal fire", () => {
    const a = new Deferred<number>();
    outcome(a);
    a.cancel();
    expect(a.signal.aborted).toBe(true);
    const b = new Deferred<number>();
    b.callback(1);
    b.cancel();
    expect(b.signal.aborted).toBe(false);
  });

  it("lets the canceller see the aborted signal", () => {
    let seen: boolean | undefined;
    const d: Deferred<number> = new Deferred<number>(() => {
      seen = d.signal.aborted;
    });
    outcome(d);
    d.cancel();
    expect(seen).toBe(true);
  });

  it("cancels when a signal given to cancelOn aborts", () => {
    const controller = new AbortController();
    const d = new Deferred<number>().cancelOn(controller.signal);
    const o = outcome(d);
    controller.abort();
    expect(o.failure?.check(CancelledError)).toBe(CancelledError);
  });

  it("cancels at once for an already-aborted signal, and ignores the signal after firing", () => {
    const d = new Deferred<number>().cancelOn(AbortSignal.abort());
    expect(outcome(d).failure?.check(CancelledError)).toBe(CancelledError);

    const controller = new AbortController();
    const e = new Deferred<number>().cancelOn(controller.signal);
    const o = outcome(e);
    e.callback(5);
    controller.abort();
    expect(o.result).toBe(5);
  });
});
