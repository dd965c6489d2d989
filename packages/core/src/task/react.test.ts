import { afterEach, describe, expect, it } from "vitest";
import { Deferred } from "../deferred/deferred.ts";
import { fail, succeed } from "../deferred/helpers.ts";
import { ReactorNotRunning } from "../errors.ts";
import type { IReactorCore, SystemEvent, SystemEventPhase } from "../interfaces.ts";
import type { LogEvent } from "../logger/event.ts";
import { globalLogPublisher } from "../logger/global.ts";
import { createReactor } from "../reactor/default.ts";
import { Clock } from "../testing/clock.ts";
import { react } from "./react.ts";

class ExpectedError extends Error {}

/**
 * A reactor on a {@link Clock}: `run()` advances the clock from call to call until stopped
 * (letting pending promise callbacks run when no call is left), then runs the shutdown triggers (as Twisted's `_FakeReactor` in its `react` tests).
 */
class FakeReactor extends Clock implements IReactorCore {
  running = false;
  #whenRunning: Array<() => void> | undefined = [];
  #shutdown: Array<() => void> = [];

  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    if (this.#whenRunning === undefined) fn(...args);
    else this.#whenRunning.push(() => fn(...args));
  }

  addSystemEventTrigger<A extends unknown[]>(
    phase: SystemEventPhase,
    event: SystemEvent,
    fn: (...args: A) => unknown,
    ...args: A
  ): void {
    expect(event).toBe("shutdown");
    expect(phase).not.toBe("after");
    this.#shutdown.push(() => fn(...args));
  }

  removeSystemEventTrigger(): void {}

  fireSystemEvent(): Deferred<void> {
    return succeed(undefined);
  }

  async run(): Promise<void> {
    this.running = true;
    const whenRunning = this.#whenRunning!;
    this.#whenRunning = undefined;
    for (const fn of whenRunning) fn();
    let idle = 0;
    while (this.running) {
      const next = this.getDelayedCalls()[0];
      if (next === undefined) {
        // An async main resumes in microtasks: let them run before giving up.
        if (++idle > 10) throw new Error("No DelayedCalls left");
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      idle = 0;
      this.advance(next.getTime() - this.seconds());
    }
    for (const fn of this.#shutdown) fn();
  }

  stop(): void {
    if (!this.running) throw new ReactorNotRunning();
    this.running = false;
  }
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function captureFailures(): LogEvent[] {
  const events: LogEvent[] = [];
  const observer = (event: LogEvent): void => {
    if (event.log_failure !== undefined) events.push(event);
  };
  globalLogPublisher.addObserver(observer);
  cleanups.push(() => globalLogPublisher.removeObserver(observer));
  return events;
}

/** Run `react` on a FakeReactor and return the exit code it asked for. */
async function reactOn<A extends unknown[]>(
  reactor: FakeReactor,
  main: (reactor: FakeReactor, ...argv: A) => unknown,
  argv?: A,
): Promise<number> {
  const codes: number[] = [];
  await react(main, argv, reactor, { exit: (code) => codes.push(code) });
  expect(codes).toHaveLength(1);
  return codes[0]!;
}

describe("react", () => {
  it("runs the reactor until main's Deferred fires, then exits 0", async () => {
    const reactor = new FakeReactor();
    const passed: boolean[] = [];
    const code = await reactOn(reactor, (r) => {
      const finished = new Deferred<undefined>();
      r.callLater(1, () => passed.push(true));
      r.callLater(2, () => finished.callback(undefined));
      return finished;
    });
    expect(code).toBe(0);
    expect(passed).toEqual([true]);
    expect(reactor.seconds()).toBe(2);
  });

  it("stops at once when main's Deferred has already fired", async () => {
    const reactor = new FakeReactor();
    expect(await reactOn(reactor, () => succeed(undefined))).toBe(0);
    expect(reactor.seconds()).toBe(0);
  });

  it("runs until an async main's promise resolves", async () => {
    const reactor = new FakeReactor();
    const code = await reactOn(reactor, async (r) => {
      const finished = new Deferred<undefined>();
      r.callLater(2, () => finished.callback(undefined));
      await finished;
    });
    expect(code).toBe(0);
    expect(reactor.seconds()).toBe(2);
  });

  it("exits 1 and logs the failure when main's Deferred fails later", async () => {
    const failures = captureFailures();
    const reactor = new FakeReactor();
    const code = await reactOn(reactor, (r) => {
      const finished = new Deferred<undefined>();
      r.callLater(1, () => finished.errback(new ExpectedError("late")));
      return finished;
    });
    expect(code).toBe(1);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.log_failure!.check(ExpectedError)).toBe(ExpectedError);
    expect(failures[0]!.log_format).toBe("main function encountered error");
  });

  it("exits 1 when main's Deferred has already failed, or main throws", async () => {
    const failures = captureFailures();
    expect(await reactOn(new FakeReactor(), () => fail(new ExpectedError()))).toBe(1);
    expect(
      await reactOn(new FakeReactor(), () => {
        throw new ExpectedError();
      }),
    ).toBe(1);
    expect(failures.map((e) => e.log_failure!.check(ExpectedError))).toEqual([
      ExpectedError,
      ExpectedError,
    ]);
  });

  it("passes argv to main after the reactor", async () => {
    const reactor = new FakeReactor();
    const seen: unknown[] = [];
    await reactOn(
      reactor,
      (r, x: number, y: string) => {
        seen.push(r, x, y);
        return succeed(undefined);
      },
      [1, "two"],
    );
    expect(seen).toEqual([reactor, 1, "two"]);
  });

  it("does not stop the reactor again when main's Deferred fires during shutdown", async () => {
    const reactor = new FakeReactor();
    const code = await reactOn(reactor, (r) => {
      r.callLater(1, () => r.stop());
      const finished = new Deferred<undefined>();
      r.addSystemEventTrigger("during", "shutdown", () => finished.callback(undefined));
      return finished;
    });
    expect(code).toBe(0);
    expect(reactor.seconds()).toBe(1);
  });

  it("exits 1 when main's Deferred fails during a shutdown started elsewhere", async () => {
    const failures = captureFailures();
    const reactor = new FakeReactor();
    const code = await reactOn(reactor, (r) => {
      r.callLater(1, () => r.stop());
      const finished = new Deferred<undefined>();
      r.addSystemEventTrigger("during", "shutdown", () => finished.errback(new ExpectedError()));
      return finished;
    });
    expect(code).toBe(1);
    expect(failures).toHaveLength(1);
  });

  it("copes with the reactor being stopped just before main's Deferred fires", async () => {
    const reactor = new FakeReactor();
    const code = await reactOn(reactor, (r) => {
      const d = new Deferred<undefined>();
      r.callWhenRunning(() => {
        r.stop();
        d.callback(undefined);
      });
      return d;
    });
    expect(code).toBe(0);
  });

  it("exits 0 when the reactor is stopped and main's Deferred never fires", async () => {
    const reactor = new FakeReactor();
    const code = await reactOn(reactor, (r) => {
      r.callLater(1, () => r.stop());
      return new Deferred();
    });
    expect(code).toBe(0);
  });

  it("runs a real reactor until main's promise settles", async () => {
    const reactor = createReactor();
    const codes: number[] = [];
    let runningInMain = false;
    await react(
      async (r) => {
        await new Promise((resolve) => r.callLater(0, () => resolve(undefined)));
        runningInMain = r.running;
      },
      [],
      reactor,
      { exit: (code) => codes.push(code) },
    );
    expect(runningInMain).toBe(true);
    expect(reactor.running).toBe(false);
    expect(codes).toEqual([0]);
  });
});
