import { describe, expect, it, vi } from "vitest";
import type { LogEvent } from "./event.ts";
import { formatEvent } from "./format.ts";
import { bitbucketLogObserver, LogPublisher, OBSERVER_DISABLED } from "./observer.ts";

const anEvent = (n = 0): LogEvent => ({
  log_format: "event {n}",
  log_level: "info",
  log_namespace: "test",
  log_time: 1,
  n,
});

describe("LogPublisher", () => {
  it("forwards each event to its observers, in order, whichever way it is called", () => {
    const seen: string[] = [];
    const publisher = new LogPublisher((e) => seen.push(`a${e.n}`));
    publisher.addObserver((e) => seen.push(`b${e.n}`));
    publisher(anEvent(1));
    publisher.observe(anEvent(2));
    const asObserver: (e: LogEvent) => void = publisher;
    asObserver.call(undefined, anEvent(3));
    expect(seen).toEqual(["a1", "b1", "a2", "b2", "a3", "b3"]);
    expect(publisher).toBeInstanceOf(LogPublisher);
    expect(typeof publisher).toBe("function");
  });

  it("adds an observer once, removes it, and ignores removing an unknown one", () => {
    const observer = vi.fn();
    const publisher = new LogPublisher();
    publisher.addObserver(observer);
    publisher.addObserver(observer);
    expect(publisher.observers).toEqual([observer]);
    publisher(anEvent());
    expect(observer).toHaveBeenCalledTimes(1);
    publisher.removeObserver(observer);
    publisher.removeObserver(observer);
    publisher(anEvent());
    expect(observer).toHaveBeenCalledTimes(1);
  });

  it("refuses an observer that is not callable", () => {
    expect(() => new LogPublisher().addObserver({} as never)).toThrow(TypeError);
  });

  it("nests: a publisher is an observer of another", () => {
    const observer = vi.fn();
    const inner = new LogPublisher(observer);
    const outer = new LogPublisher(inner);
    const e = anEvent();
    outer(e);
    expect(observer).toHaveBeenCalledWith(e);
  });

  it("reports an observer's exception to the other observers and keeps delivering", () => {
    const seen: LogEvent[] = [];
    const good = (e: LogEvent): void => {
      seen.push(e);
    };
    const error = new Error("observer broke");
    const bad = vi.fn((_e: LogEvent): void => {
      throw error;
    });
    const publisher = new LogPublisher(bad, good);
    const e = anEvent(7);
    expect(() => publisher(e)).not.toThrow();
    expect(seen[0]).toBe(e);
    expect(seen).toHaveLength(2);
    const report = seen[1]!;
    expect(report.log_format).toBe(OBSERVER_DISABLED);
    expect(report.log_level).toBe("critical");
    expect(report.observer).toBe(bad);
    expect(report.log_failure!.value).toBe(error);
    expect(formatEvent(report)).toMatch(
      /^Temporarily disabling observer \[Function: .*\] due to exception: \[Failure instance: Error: observer broke\]$/,
    );
    // The broken observer saw the event only: not its own report.
    expect(bad).toHaveBeenCalledTimes(1);
    // And stays registered, as in Twisted.
    publisher(anEvent(8));
    expect(bad).toHaveBeenCalledTimes(2);
  });

  it("neither crashes nor recurses when every observer throws", () => {
    const calls = [0, 0, 0];
    const observers = calls.map((_, i) => (): void => {
      calls[i]!++;
      throw new Error(`broken ${i}`);
    });
    const publisher = new LogPublisher(...observers);
    expect(() => publisher(anEvent())).not.toThrow();
    // Each sees the event, then the reports about the two others.
    expect(calls).toEqual([3, 3, 3]);
  });

  it("delivers to the observers registered when the event arrived", () => {
    const later = vi.fn();
    const publisher = new LogPublisher();
    const first = vi.fn(() => publisher.addObserver(later));
    publisher.addObserver(first);
    publisher(anEvent());
    expect(later).not.toHaveBeenCalled();
    publisher(anEvent());
    expect(later).toHaveBeenCalledTimes(1);
  });
});

describe("bitbucketLogObserver", () => {
  it("accepts and drops events", () => {
    expect(bitbucketLogObserver(anEvent())).toBeUndefined();
  });
});
