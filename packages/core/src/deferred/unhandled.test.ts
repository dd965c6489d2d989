import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AlreadyCalledError } from "../errors.ts";
import type { Failure } from "../failure.ts";
import type { LogEvent } from "../logger/event.ts";
import { globalLogPublisher } from "../logger/global.ts";
import { getDebugging, setDebugging } from "./debug.ts";
import { Deferred } from "./deferred.ts";

const realSetImmediate = setImmediate;
/** Let the current turn end (the unhandled-error check runs then). */
const nextTurn = (): Promise<void> => new Promise((r) => realSetImmediate(r));

let events: LogEvent[];
const observer = (e: LogEvent): void => {
  if (e.log_namespace === "torsion.deferred") events.push(e);
};

beforeEach(() => {
  events = [];
  globalLogPublisher.addObserver(observer);
});
afterEach(() => {
  globalLogPublisher.removeObserver(observer);
  setDebugging(false);
  vi.useRealTimers();
});

const unhandledReports = (): LogEvent[] =>
  events.filter((e) => String(e.log_format).startsWith("Unhandled error in Deferred:"));

describe("unhandled errors in Deferreds", () => {
  it("reports a chain that ends on a Failure, with the Failure, when the turn ends", async () => {
    const err = new Error("nobody handles me");
    const d = new Deferred<number>();
    d.errback(err);
    expect(unhandledReports()).toEqual([]);
    await nextTurn();
    const [report, ...more] = unhandledReports();
    expect(more).toEqual([]);
    expect(report?.log_level).toBe("critical");
    expect((report!.log_failure as Failure).value).toBe(err);
  });

  it("reports a failure thrown by the last callback", async () => {
    const d = new Deferred<number>();
    d.addCallback(() => {
      throw new TypeError("in callback");
    });
    d.callback(1);
    await nextTurn();
    expect((unhandledReports()[0]!.log_failure as Failure).value).toBeInstanceOf(TypeError);
  });

  it("does not report a failure handled later in the same turn", async () => {
    const d = new Deferred<number>();
    d.errback(new Error("x"));
    await Promise.resolve(); // microtasks are still this turn
    d.addErrback(() => 0);
    await nextTurn();
    expect(unhandledReports()).toEqual([]);
  });

  it("does not report a chain that recovered, or an awaited one", async () => {
    const a = new Deferred<number>();
    a.addErrback(() => 1);
    a.errback(new Error("recovered"));
    const b = new Deferred<number>();
    b.errback(new Error("awaited"));
    await expect(b).rejects.toThrow("awaited");
    await nextTurn();
    expect(unhandledReports()).toEqual([]);
  });

  it("does not report a Deferred that was being awaited when it failed", async () => {
    const d = new Deferred<number>();
    const p = d.toPromise();
    d.errback(new Error("awaited before failing"));
    await expect(p).rejects.toThrow("awaited before failing");
    await nextTurn();
    expect(unhandledReports()).toEqual([]);
  });

  it("does not report a Failure passed on to the Deferred that waits on it", async () => {
    const inner = new Deferred<number>();
    const outer = new Deferred<number>();
    outer.addCallback(() => inner).addErrback(() => "handled by outer");
    outer.callback(0);
    inner.errback(new Error("inner"));
    await nextTurn();
    expect(unhandledReports()).toEqual([]);
  });

  it("reports once, and says so at info when it is handled later", async () => {
    const d = new Deferred<number>();
    d.errback(new Error("late"));
    await nextTurn();
    await nextTurn();
    expect(unhandledReports()).toHaveLength(1);
    d.addErrback(() => 0);
    const later = events.filter((e) => String(e.log_format).includes("handled later"));
    expect(later).toHaveLength(1);
    expect(later[0]?.log_level).toBe("info");
  });

  it("waits for a paused Deferred to be unpaused", async () => {
    const d = new Deferred<number>();
    d.pause();
    d.errback(new Error("paused"));
    await nextTurn();
    expect(unhandledReports()).toEqual([]);
    d.unpause();
    await nextTurn();
    expect(unhandledReports()).toHaveLength(1);
  });

  it("reports even when the test clock fakes setImmediate", async () => {
    vi.useFakeTimers();
    new Deferred<number>().errback(new Error("faked timers"));
    await nextTurn();
    expect(unhandledReports()).toHaveLength(1);
  });
});

describe("Deferred debugging", () => {
  it("is off by default and can be switched", () => {
    expect(getDebugging()).toBe(false);
    setDebugging(true);
    expect(getDebugging()).toBe(true);
    setDebugging(false);
    expect(getDebugging()).toBe(false);
  });

  it("adds where the Deferred was created and first fired to the report", async () => {
    setDebugging(true);
    function createsTheDeferred(): Deferred<number> {
      return new Deferred<number>();
    }
    function firesTheDeferred(d: Deferred<number>): void {
      d.errback(new Error("debug me"));
    }
    firesTheDeferred(createsTheDeferred());
    await nextTurn();
    const info = String(unhandledReports()[0]?.debugInfo);
    expect(info).toContain("Deferred was created:");
    expect(info).toMatch(/C:.*createsTheDeferred/);
    expect(info).toContain("First Invoker was:");
    expect(info).toMatch(/I:.*firesTheDeferred/);
  });

  it("adds both stacks to AlreadyCalledError", () => {
    setDebugging(true);
    const d = new Deferred<number>();
    d.callback(1);
    let error: unknown;
    try {
      d.callback(2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AlreadyCalledError);
    expect((error as Error).message).toContain("Deferred was created:");
    expect((error as Error).message).toContain("First Invoker was:");
  });

  it("carries no debug info when off", async () => {
    new Deferred<number>().errback(new Error("plain"));
    await nextTurn();
    expect(unhandledReports()[0]?.debugInfo).toBeUndefined();
  });
});
