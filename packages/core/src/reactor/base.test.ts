import { afterEach, describe, expect, it } from "vitest";
import { Deferred } from "../deferred/deferred.ts";
import { ReactorAlreadyRunning, ReactorNotRestartable, ReactorNotRunning } from "../errors.ts";
import type { LogEvent } from "../logger/event.ts";
import { globalLogPublisher } from "../logger/global.ts";
import { ReactorBase } from "./base.ts";
import { createReactor, reactor as defaultReactor } from "./default.ts";

/** Collect the log events emitted while a test runs. */
function captureLogs(): LogEvent[] {
  const events: LogEvent[] = [];
  const observer = (event: LogEvent): void => {
    events.push(event);
  };
  globalLogPublisher.addObserver(observer);
  cleanups.push(() => globalLogPublisher.removeObserver(observer));
  return events;
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A promise and the function that resolves it. */
function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Let the event loop turn a few times (timers, immediates, I/O). */
async function turns(n = 3): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

function countResources(kind: string): number {
  return process.getActiveResourcesInfo().filter((r) => r === kind).length;
}

describe("ReactorBase time", () => {
  it("tells monotonic time in seconds, near the Unix time", () => {
    const reactor = createReactor();
    const a = reactor.seconds();
    const b = reactor.seconds();
    expect(b).toBeGreaterThanOrEqual(a);
    // The epoch offset is the process start's wall-clock time: within a day of Date.now().
    expect(Math.abs(a - Date.now() / 1000)).toBeLessThan(86_400);
  });

  it("runs calls with their arguments without run(), in time order, ties in scheduling order", async () => {
    const reactor = createReactor();
    const order: string[] = [];
    const done = signal();
    reactor.callLater(
      0.02,
      (name: string) => {
        order.push(name);
        done.resolve();
      },
      "late",
    );
    reactor.callLater(0, (name: string) => order.push(name), "a");
    reactor.callLater(0.005, (name: string) => order.push(name), "mid");
    reactor.callLater(0, (name: string) => order.push(name), "b");
    await done.promise;
    expect(order).toEqual(["a", "b", "mid", "late"]);
  });

  it("runs a call scheduled by a running call on a later turn, after the calls already due", async () => {
    const reactor = createReactor();
    const order: string[] = [];
    const done = signal();
    reactor.callLater(0, () => {
      order.push("first");
      reactor.callLater(0, () => {
        order.push("scheduled by first");
        done.resolve();
      });
    });
    reactor.callLater(0, () => order.push("second"));
    await done.promise;
    expect(order).toEqual(["first", "second", "scheduled by first"]);
  });

  it("does not run a cancelled call and does not list it", async () => {
    const reactor = createReactor();
    let ran = false;
    const call = reactor.callLater(0, () => {
      ran = true;
    });
    const other = reactor.callLater(0, () => {});
    expect(reactor.getDelayedCalls()).toHaveLength(2);
    call.cancel();
    expect(reactor.getDelayedCalls()).toEqual([other]);
    await turns();
    expect(ran).toBe(false);
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it("runs a call reset to sooner at its new time", async () => {
    const reactor = createReactor();
    const done = signal<number>();
    const call = reactor.callLater(1000, () => done.resolve(reactor.seconds()));
    call.reset(0);
    const ranAt = await done.promise;
    expect(ranAt).toBeLessThan(call.getTime() + 60);
    expect(call.active()).toBe(false);
  });

  it("does not run a call moved later when its old time comes", async () => {
    const reactor = createReactor();
    let ran = false;
    const delayed = reactor.callLater(0, () => {
      ran = true;
    });
    delayed.delay(1000);
    const reset = reactor.callLater(0, () => {
      ran = true;
    });
    reset.reset(1000);
    const done = signal();
    reactor.callLater(0.01, () => done.resolve());
    await done.promise;
    expect(ran).toBe(false);
    expect(delayed.active()).toBe(true);
    expect(reset.active()).toBe(true);
    delayed.cancel();
    reset.cancel();
  });

  it("logs what a call throws and goes on with the others", async () => {
    const logs = captureLogs();
    const reactor = createReactor();
    const done = signal();
    function explode(): void {
      throw new RangeError("boom");
    }
    reactor.callLater(0, explode);
    reactor.callLater(0, () => done.resolve());
    await done.promise;
    const failures = logs.filter((e) => e.log_failure !== undefined);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.log_failure!.check(RangeError)).toBe(RangeError);
    expect(String(failures[0]!.call)).toContain("explode");
  });

  it("holds a Node timer only while a call is pending", () => {
    const reactor = createReactor();
    const before = countResources("Timeout");
    const call = reactor.callLater(1000, () => {});
    expect(countResources("Timeout")).toBe(before + 1);
    call.cancel();
    expect(countResources("Timeout")).toBe(before);
  });

  it("rejects a negative delay", () => {
    expect(() => createReactor().callLater(-1, () => {})).toThrow(RangeError);
  });
});

describe("ReactorBase lifecycle", () => {
  it("touches nothing in the process when constructed", () => {
    const signals = process.listenerCount("SIGINT") + process.listenerCount("SIGTERM");
    const resources = process.getActiveResourcesInfo().length;
    const reactor = new ReactorBase();
    expect(reactor.running).toBe(false);
    expect(defaultReactor).toBeInstanceOf(ReactorBase);
    expect(process.listenerCount("SIGINT") + process.listenerCount("SIGTERM")).toBe(signals);
    expect(process.getActiveResourcesInfo().length).toBe(resources);
  });

  it("fires startup and shutdown triggers in phase order around run() and stop()", async () => {
    const reactor = createReactor();
    const events: string[] = [];
    const note = (what: string) => () => events.push(`${what} running=${reactor.running}`);
    reactor.addSystemEventTrigger("after", "startup", note("after startup"));
    reactor.addSystemEventTrigger("during", "startup", note("during startup"));
    reactor.addSystemEventTrigger("before", "startup", note("before startup"));
    reactor.addSystemEventTrigger("after", "shutdown", note("after shutdown"));
    reactor.addSystemEventTrigger("during", "shutdown", note("during shutdown"));
    reactor.addSystemEventTrigger("before", "shutdown", note("before shutdown"));
    reactor.callWhenRunning(() => {
      events.push(`when running running=${reactor.running}`);
      reactor.callWhenRunning(() => events.push("when running, now"));
      reactor.stop();
      events.push("stop returned");
    });
    const run = reactor.run();
    await run;
    events.push("run resolved");
    expect(events).toEqual([
      "before startup running=false",
      "during startup running=true",
      "after startup running=true",
      "when running running=true",
      "when running, now",
      "stop returned",
      "before shutdown running=true",
      "during shutdown running=false",
      "after shutdown running=false",
      "run resolved",
    ]);
  });

  it("holds shutdown until a Deferred returned by a before-shutdown trigger fires", async () => {
    const reactor = createReactor();
    const held = new Deferred<string>();
    const events: string[] = [];
    const holding = signal();
    reactor.addSystemEventTrigger("before", "shutdown", () => {
      events.push("before 1");
      holding.resolve();
      return held;
    });
    reactor.addSystemEventTrigger("before", "shutdown", () => {
      events.push("before 2");
    });
    reactor.addSystemEventTrigger("during", "shutdown", () => events.push("during"));
    let resolved = false;
    const run = reactor.run().then(() => {
      resolved = true;
    });
    reactor.stop();
    await holding.promise;
    await turns(5);
    expect(events).toEqual(["before 1", "before 2"]);
    expect(resolved).toBe(false);
    expect(reactor.running).toBe(true);
    // Timers keep working while shutdown is held (a graceful shutdown may need them).
    const tick = signal();
    reactor.callLater(0, () => tick.resolve());
    await tick.promise;
    held.callback("done");
    await run;
    expect(events).toEqual(["before 1", "before 2", "during"]);
  });

  it("holds startup until a promise returned by a before-startup trigger resolves", async () => {
    const reactor = createReactor();
    const gate = signal();
    let runningCalled = false;
    reactor.addSystemEventTrigger("before", "startup", () => gate.promise);
    reactor.callWhenRunning(() => {
      runningCalled = true;
    });
    const run = reactor.run();
    await turns(3);
    expect(runningCalled).toBe(false);
    expect(reactor.running).toBe(false);
    gate.resolve();
    await gate.promise;
    await turns(1);
    expect(runningCalled).toBe(true);
    reactor.stop();
    await run;
  });

  it("logs errors in triggers and failures of what they return, and runs the others", async () => {
    const logs = captureLogs();
    const reactor = createReactor();
    const ran: string[] = [];
    reactor.addSystemEventTrigger("before", "shutdown", () => {
      throw new RangeError("thrown");
    });
    reactor.addSystemEventTrigger("before", "shutdown", () =>
      Promise.reject(new RangeError("rejected")),
    );
    reactor.addSystemEventTrigger("before", "shutdown", () => {
      const d = new Deferred<undefined>();
      d.errback(new RangeError("failed"));
      return d;
    });
    reactor.addSystemEventTrigger("during", "shutdown", () => {
      throw new RangeError("during");
    });
    reactor.addSystemEventTrigger("after", "shutdown", () => ran.push("after"));
    reactor.callWhenRunning(() => reactor.stop());
    await reactor.run();
    expect(ran).toEqual(["after"]);
    const messages = logs
      .filter((e) => e.log_failure !== undefined)
      .map((e) => e.log_failure!.getErrorMessage())
      .sort();
    expect(messages).toEqual(["during", "failed", "rejected", "thrown"]);
  });

  it("does not run a removed trigger; removing twice or a foreign id throws", () => {
    const reactor = createReactor();
    const ran: string[] = [];
    const id = reactor.addSystemEventTrigger("during", "startup", () => ran.push("removed"));
    reactor.addSystemEventTrigger("during", "startup", () => ran.push("kept"));
    reactor.removeSystemEventTrigger(id);
    expect(() => reactor.removeSystemEventTrigger(id)).toThrow(TypeError);
    expect(() => reactor.removeSystemEventTrigger({})).toThrow(TypeError);
    expect(() =>
      createReactor().removeSystemEventTrigger(
        reactor.addSystemEventTrigger("after", "startup", () => {}),
      ),
    ).toThrow(TypeError);
    let fired = false;
    reactor.fireSystemEvent("startup").addCallback(() => {
      fired = true;
    });
    expect(fired).toBe(true);
    expect(ran).toEqual(["kept"]);
  });

  it("runs each trigger once, including triggers added to a phase while it runs", () => {
    const reactor = createReactor();
    const ran: string[] = [];
    reactor.addSystemEventTrigger("before", "shutdown", () => {
      ran.push("one");
      reactor.addSystemEventTrigger("before", "shutdown", () => ran.push("added"));
    });
    reactor.fireSystemEvent("shutdown");
    reactor.fireSystemEvent("shutdown");
    expect(ran).toEqual(["one", "added"]);
  });

  it("throws ReactorNotRunning from stop() when not running or already stopping", async () => {
    const reactor = createReactor();
    expect(() => reactor.stop()).toThrow(ReactorNotRunning);
    const run = reactor.run();
    reactor.stop();
    expect(() => reactor.stop()).toThrow(ReactorNotRunning);
    await run;
    expect(() => reactor.stop()).toThrow(ReactorNotRunning);
  });

  it("refuses to run twice at once, or again after stopping", async () => {
    const reactor = createReactor();
    const run = reactor.run();
    await expect(reactor.run()).rejects.toBeInstanceOf(ReactorAlreadyRunning);
    reactor.stop();
    await run;
    await expect(reactor.run()).rejects.toBeInstanceOf(ReactorNotRestartable);
  });

  it("installs SIGINT/SIGTERM handlers only while running, and stops on SIGTERM", async () => {
    const reactor = createReactor();
    const before = { int: process.listenerCount("SIGINT"), term: process.listenerCount("SIGTERM") };
    const run = reactor.run();
    expect(process.listenerCount("SIGINT")).toBe(before.int + 1);
    expect(process.listenerCount("SIGTERM")).toBe(before.term + 1);
    await turns(1);
    expect(reactor.running).toBe(true);
    // Only listeners are called: no signal is sent to the process.
    process.emit("SIGTERM", "SIGTERM");
    await run;
    expect(reactor.exitSignal).toBe("SIGTERM");
    expect(reactor.running).toBe(false);
    expect(process.listenerCount("SIGINT")).toBe(before.int);
    expect(process.listenerCount("SIGTERM")).toBe(before.term);
  });

  it("installs no signal handler with installSignalHandlers: false", async () => {
    const reactor = createReactor();
    const before = process.listenerCount("SIGTERM");
    const run = reactor.run({ installSignalHandlers: false });
    expect(process.listenerCount("SIGTERM")).toBe(before);
    reactor.stop();
    await run;
  });

  it("keeps the process alive while running and releases every timer once stopped", async () => {
    const reactor = createReactor();
    const timers = countResources("Timeout");
    const run = reactor.run({ installSignalHandlers: false });
    expect(countResources("Timeout")).toBeGreaterThan(timers);
    const pending = reactor.callLater(1000, () => {});
    reactor.stop();
    await run;
    expect(countResources("Timeout")).toBe(timers);
    // The call stays pending (as in Twisted) but holds no timer: the process can exit.
    expect(reactor.getDelayedCalls()).toEqual([pending]);
  });
});
