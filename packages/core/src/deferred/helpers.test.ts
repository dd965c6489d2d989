import { describe, expect, it } from "vitest";
import { Failure } from "../failure.ts";
import { Deferred } from "./deferred.ts";
import { ensureDeferred, execute, fail, maybeDeferred, succeed } from "./helpers.ts";

/** The settled state of a Deferred, read synchronously; consumes a failure. */
function settled<T>(d: Deferred<T>): { ok: boolean; value: unknown } | undefined {
  let out: { ok: boolean; value: unknown } | undefined;
  d.addCallbacks(
    (value) => {
      out = { ok: true, value };
    },
    (f) => {
      out = { ok: false, value: f };
    },
  );
  return out;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("succeed and fail", () => {
  it("succeed gives an already-fired Deferred", () => {
    const d = succeed(3);
    expect(d.called).toBe(true);
    expect(settled(d)).toEqual({ ok: true, value: 3 });
  });

  it("fail gives an already-failed Deferred with the reason in a Failure", () => {
    const err = new Error("x");
    const s = settled(fail(err));
    expect(s?.ok).toBe(false);
    expect((s!.value as Failure).value).toBe(err);
    const f = new Failure(new Error("y"));
    expect(settled(fail(f))?.value).toBe(f);
  });
});

describe("execute", () => {
  it("fires with the function's result, called with the arguments", () => {
    expect(settled(execute((a: number, b: number) => a + b, 2, 3))).toEqual({ ok: true, value: 5 });
  });

  it("fails with what the function threw", () => {
    const err = new Error("thrown");
    const s = settled(
      execute(() => {
        throw err;
      }),
    );
    expect((s!.value as Failure).value).toBe(err);
  });
});

describe("maybeDeferred", () => {
  it("wraps a plain value", () => {
    expect(settled(maybeDeferred((x: string) => x.toUpperCase(), "a"))).toEqual({
      ok: true,
      value: "A",
    });
  });

  it("returns a returned Deferred itself", () => {
    const d = new Deferred<number>();
    expect(maybeDeferred(() => d)).toBe(d);
  });

  it("fails with a thrown error or a returned Failure", () => {
    const err = new Error("e");
    expect(
      (
        settled(
          maybeDeferred(() => {
            throw err;
          }),
        )!.value as Failure
      ).value,
    ).toBe(err);
    const f = new Failure(new Error("f"));
    expect(settled(maybeDeferred(() => f))?.value).toBe(f);
  });

  it("follows a returned promise", async () => {
    const d = maybeDeferred(async () => 7);
    expect(d).toBeInstanceOf(Deferred);
    expect(await d).toBe(7);
    const e = maybeDeferred(async () => {
      throw new Error("async");
    });
    await expect(e).rejects.toThrow("async");
  });
});

describe("ensureDeferred", () => {
  it("turns an async function's promise into a Deferred", async () => {
    const run = async (n: number): Promise<number> => {
      await tick();
      return n * 2;
    };
    const d = ensureDeferred(run(4));
    const seen: number[] = [];
    d.addCallback((n) => {
      seen.push(n);
    });
    expect(seen).toEqual([]);
    await tick();
    await tick();
    expect(seen).toEqual([8]);
  });

  it("returns a Deferred unchanged", () => {
    const d = new Deferred<number>();
    expect(ensureDeferred(d)).toBe(d);
  });

  it("rejects something that is not a promise", () => {
    expect(() => ensureDeferred(5 as unknown as PromiseLike<number>)).toThrow(TypeError);
  });
});
