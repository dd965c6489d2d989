import { describe, expect, it } from "vitest";
import type { IDelayedCall } from "../interfaces.ts";
import { Clock } from "../testing/clock.ts";
import { ReactorBase } from "./base.ts";

/** A ReactorBase whose time the test sets, and whose due calls the test runs. */
class ManualTimeReactor extends ReactorBase {
  now = 0;
  override seconds(): number {
    return this.now;
  }
  /** Run due calls until none is left (each run takes only the calls filed before it). */
  runDue(): void {
    for (let i = 0; i < 100 && this.getDelayedCalls().some((c) => c.getTime() <= this.now); i++) {
      this.runUntilCurrent();
    }
  }
}

/** A small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("the reactor's timed call queue", () => {
  it("runs calls in the same order as Clock through random scheduling, cancelling, resetting and delaying", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rand = random(seed);
      const clock = new Clock();
      const reactor = new ManualTimeReactor();
      const clockLog: string[] = [];
      const reactorLog: string[] = [];
      const pairs: Array<[IDelayedCall, IDelayedCall]> = [];
      for (let step = 0; step < 400; step++) {
        const op = rand();
        if (op < 0.4) {
          const delay = rand() * 10;
          const name = `c${step}`;
          pairs.push([
            clock.callLater(delay, () => clockLog.push(`${name}@${clock.seconds()}`)),
            reactor.callLater(delay, () => reactorLog.push(`${name}@${reactor.seconds()}`)),
          ]);
        } else if (op < 0.75 && pairs.length > 0) {
          const [a, b] = pairs[Math.floor(rand() * pairs.length)]!;
          if (!a.active()) continue;
          const kind = rand();
          const amount = rand() * 10 - (kind < 0.66 ? 0 : 5);
          if (kind < 0.33) {
            a.cancel();
            b.cancel();
          } else if (kind < 0.66) {
            a.reset(amount);
            b.reset(amount);
          } else {
            a.delay(amount);
            b.delay(amount);
          }
        } else {
          const dt = rand() * 3;
          clock.advance(dt);
          reactor.now += dt;
          reactor.runDue();
        }
        expect(reactor.getDelayedCalls().length).toBe(clock.getDelayedCalls().length);
      }
      clock.advance(100);
      reactor.now += 100;
      reactor.runDue();
      expect(reactorLog).toEqual(clockLog);
      expect(reactor.getDelayedCalls()).toEqual([]);
    }
  });
});
