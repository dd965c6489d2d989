import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { InvalidLogLevelError } from "../errors.ts";
import { Failure } from "../failure.ts";
import type { LogEvent } from "./event.ts";
import { globalLogPublisher } from "./global.ts";
import { Logger } from "./logger.ts";
import { LogPublisher } from "./observer.ts";

function capture(): { events: LogEvent[]; observer: (e: LogEvent) => void } {
  const events: LogEvent[] = [];
  return { events, observer: (e) => events.push(e) };
}

describe("Logger", () => {
  it("emits events with Twisted's log_* keys and the given fields", () => {
    const { events, observer } = capture();
    const source = { id: 1 };
    const log = new Logger("my.ns", source, observer);
    const before = Date.now() / 1000;
    log.info("hello {who}", { who: "world" });
    const after = Date.now() / 1000;
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e).toMatchObject({
      who: "world",
      log_format: "hello {who}",
      log_level: "info",
      log_namespace: "my.ns",
      log_source: source,
      log_logger: log,
    });
    expect(e.log_time).toBeGreaterThanOrEqual(before);
    expect(e.log_time).toBeLessThanOrEqual(after);
    expect(Number.isInteger(e.log_time * 1000) && e.log_time < 1e11).toBe(true);
  });

  it("has one method per level, and emit()", () => {
    const { events, observer } = capture();
    const log = new Logger("ns", undefined, observer);
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    log.critical("c");
    log.emit("warn", "emitted", { k: 1 });
    log.emit("info");
    expect(events.map((e) => [e.log_level, e.log_format])).toEqual([
      ["debug", "d"],
      ["info", "i"],
      ["warn", "w"],
      ["error", "e"],
      ["critical", "c"],
      ["warn", "emitted"],
      ["info", null],
    ]);
    expect(events[5]!.k).toBe(1);
  });

  it("copies the fields, and lets them set log_system", () => {
    const { events, observer } = capture();
    const fields: Record<string, unknown> = { n: 1, log_system: "Echo,3,127.0.0.1" };
    new Logger("ns", undefined, observer).info("x", fields);
    fields.n = 2;
    expect(events[0]!.n).toBe(1);
    expect(events[0]!.log_system).toBe("Echo,3,127.0.0.1");
    expect(fields).not.toHaveProperty("log_level");
  });

  it("does not let fields override the logging system's own keys", () => {
    const { events, observer } = capture();
    new Logger("ns", undefined, observer).info("real", { log_namespace: "fake", log_format: "no" });
    expect(events[0]!.log_namespace).toBe("ns");
    expect(events[0]!.log_format).toBe("real");
  });

  it("logs failures at critical by default, or at the given level", () => {
    const { events, observer } = capture();
    const log = new Logger("ns", undefined, observer);
    const f = new Failure(new Error("boom"));
    log.failure("while frobbing {knob}", f, { knob: 3 });
    log.failure("handled", f, undefined, "warn");
    expect(events[0]).toMatchObject({ log_level: "critical", log_failure: f, knob: 3 });
    expect(events[1]).toMatchObject({ log_level: "warn", log_failure: f });
  });

  it("wraps a raw error given as the failure", () => {
    const { events, observer } = capture();
    const error = new Error("raw");
    new Logger("ns", undefined, observer).failure("x", error as unknown as Failure);
    expect(events[0]!.log_failure).toBeInstanceOf(Failure);
    expect(events[0]!.log_failure!.value).toBe(error);
  });

  it("reports failure() without a failure as a programming error, with its stack", () => {
    const { events, observer } = capture();
    new Logger("ns", undefined, observer).failure("oops");
    const f = events[0]!.log_failure!;
    expect(f).toBeInstanceOf(Failure);
    expect(f.getErrorMessage()).toMatch(/without a failure/);
    expect(f.getTraceback()).toMatch(/logger\.test\.ts/);
    expect(events[0]!.log_level).toBe("critical");
  });

  it("reports an invalid level instead of emitting it", () => {
    const { events, observer } = capture();
    const log = new Logger("ns", undefined, observer);
    log.emit("loud" as never, "x");
    expect(events).toHaveLength(1);
    expect(events[0]!.log_level).toBe("critical");
    expect(events[0]!.log_failure!.check(InvalidLogLevelError)).toBe(InvalidLogLevelError);
    expect(events[0]!.invalidLevel).toBe("loud");
  });

  it("sends to the global publisher by default, and takes a publisher as observer", () => {
    expect(new Logger("ns").observer).toBe(globalLogPublisher);
    const { events, observer } = capture();
    const publisher = new LogPublisher(observer);
    new Logger("ns", undefined, publisher).info("via publisher");
    expect(events[0]!.log_format).toBe("via publisher");
  });

  it("has a default namespace and a Twisted-like text form", () => {
    expect(new Logger().namespace).toBe("<unknown>");
    expect(String(new Logger("a.b"))).toBe('<Logger "a.b">');
    // Inspected events (unformattable ones) show the logger briefly, not its observer.
    expect(inspect({ log_logger: new Logger("a.b") })).toBe('{ log_logger: <Logger "a.b"> }');
  });
});
