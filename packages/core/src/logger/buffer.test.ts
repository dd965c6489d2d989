import { describe, expect, it } from "vitest";
import { DEFAULT_BUFFER_MAXIMUM, LimitedHistoryLogObserver } from "./buffer.ts";
import type { LogEvent } from "./event.ts";

const anEvent = (n: number): LogEvent => ({
  log_format: null,
  log_level: "info",
  log_namespace: "t",
  log_time: n,
  n,
});

function replayed(history: LimitedHistoryLogObserver): unknown[] {
  const out: unknown[] = [];
  history.replayTo((e) => out.push(e.n));
  return out;
}

describe("LimitedHistoryLogObserver", () => {
  it("keeps the last `size` events and replays them oldest first", () => {
    const history = new LimitedHistoryLogObserver(5);
    for (let n = 0; n < 12; n++) history(anEvent(n));
    expect(history.count).toBe(5);
    expect(replayed(history)).toEqual([7, 8, 9, 10, 11]);
    // Replaying leaves the buffer as it is.
    expect(replayed(history)).toEqual([7, 8, 9, 10, 11]);
  });

  it("keeps everything below the bound", () => {
    const history = new LimitedHistoryLogObserver(5);
    for (let n = 0; n < 3; n++) history.observe(anEvent(n));
    expect(replayed(history)).toEqual([0, 1, 2]);
  });

  it("defaults to Twisted's 64 Ki bound", () => {
    expect(DEFAULT_BUFFER_MAXIMUM).toBe(65536);
    const history = new LimitedHistoryLogObserver();
    for (let n = 0; n < DEFAULT_BUFFER_MAXIMUM + 10; n++) history(anEvent(n));
    expect(history.count).toBe(DEFAULT_BUFFER_MAXIMUM);
    const first: unknown[] = [];
    history.replayTo((e) => {
      if (first.length === 0) first.push(e.n);
    });
    expect(first).toEqual([10]);
  });

  it("replays a snapshot even if the target logs back into it", () => {
    const history = new LimitedHistoryLogObserver(3);
    for (let n = 0; n < 3; n++) history(anEvent(n));
    const seen: unknown[] = [];
    history.replayTo((e) => {
      seen.push(e.n);
      history(anEvent(100));
    });
    expect(seen).toEqual([0, 1, 2]);
  });

  it("can be emptied, and refuses a bad size", () => {
    const history = new LimitedHistoryLogObserver(2);
    history(anEvent(1));
    history.clear();
    expect(replayed(history)).toEqual([]);
    expect(() => new LimitedHistoryLogObserver(-1)).toThrow(RangeError);
    const none = new LimitedHistoryLogObserver(0);
    none(anEvent(1));
    expect(replayed(none)).toEqual([]);
  });
});
