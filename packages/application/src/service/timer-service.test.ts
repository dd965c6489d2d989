import { Deferred } from "@torsion/core";
import { Clock } from "@torsion/core/testing";
import { describe, expect, it } from "vitest";
import { TimerService } from "./timer-service.ts";

describe("TimerService", () => {
  it("calls at start and then every interval until stopped", () => {
    const clock = new Clock();
    const calls: number[] = [];
    const t = new TimerService(10, (tag: string) => calls.push(clock.seconds()) && tag, "x");
    t.clock = clock;
    t.startService();
    expect(calls).toEqual([0]);
    clock.advance(10);
    clock.advance(10);
    expect(calls).toEqual([0, 10, 20]);
    t.stopService();
    clock.advance(30);
    expect(calls).toEqual([0, 10, 20]);
    expect(t.running).toBe(false);
  });

  it("stop waits for a call whose Deferred is pending", () => {
    const clock = new Clock();
    const pending = new Deferred<void>();
    const t = new TimerService(1, () => pending);
    t.clock = clock;
    t.startService();
    let stopped = false;
    t.stopService().addCallback(() => {
      stopped = true;
    });
    expect(stopped).toBe(false);
    pending.callback(undefined);
    expect(stopped).toBe(true);
  });

  it("a call that throws ends the loop and is logged, not thrown", () => {
    const clock = new Clock();
    let n = 0;
    const t = new TimerService(1, () => {
      n++;
      throw new Error("boom");
    });
    t.clock = clock;
    t.startService();
    clock.advance(5);
    expect(n).toBe(1);
    t.stopService();
  });
});
