import { describe, expect, it, vi } from "vitest";
import { InvalidLogLevelError } from "../errors.ts";
import type { LogEvent } from "./event.ts";
import {
  FilteringLogObserver,
  type ILogFilterPredicate,
  LogLevelFilterPredicate,
  PredicateResult,
  shouldLogEvent,
} from "./filter.ts";
import type { LogLevel } from "./levels.ts";

const anEvent = (level: LogLevel, namespace = "app"): LogEvent => ({
  log_format: "x",
  log_level: level,
  log_namespace: namespace,
  log_time: 0,
});

describe("shouldLogEvent", () => {
  const yes: ILogFilterPredicate = () => PredicateResult.yes;
  const no: ILogFilterPredicate = () => PredicateResult.no;
  const maybe: ILogFilterPredicate = () => PredicateResult.maybe;
  const e = anEvent("info");

  it("logs when there are no predicates or all say maybe", () => {
    expect(shouldLogEvent([], e)).toBe(true);
    expect(shouldLogEvent([maybe, maybe], e)).toBe(true);
  });

  it("lets the first yes or no decide", () => {
    expect(shouldLogEvent([maybe, yes, no], e)).toBe(true);
    expect(shouldLogEvent([maybe, no, yes], e)).toBe(false);
  });

  it("rejects an invalid predicate result", () => {
    expect(() => shouldLogEvent([() => "perhaps" as never], e)).toThrow(TypeError);
  });
});

describe("FilteringLogObserver", () => {
  it("forwards events the predicates accept and sends the rest to the negative observer", () => {
    const positive = vi.fn();
    const negative = vi.fn();
    const onlyErrors: ILogFilterPredicate = (e) => (e.log_level === "error" ? "maybe" : "no");
    const filtering = new FilteringLogObserver(positive, [onlyErrors], negative);
    const info = anEvent("info");
    const error = anEvent("error");
    filtering(info);
    filtering.observe(error);
    expect(positive.mock.calls).toEqual([[error]]);
    expect(negative.mock.calls).toEqual([[info]]);
    // Without a negative observer, rejected events are dropped.
    expect(() => new FilteringLogObserver(positive, [onlyErrors])(info)).not.toThrow();
  });
});

describe("LogLevelFilterPredicate", () => {
  it("drops events below the default level (info unless told)", () => {
    const predicate = new LogLevelFilterPredicate();
    expect(predicate.defaultLogLevel).toBe("info");
    expect(predicate(anEvent("debug"))).toBe("no");
    expect(predicate(anEvent("info"))).toBe("maybe");
    expect(predicate.test(anEvent("critical"))).toBe("maybe");
    const strict = new LogLevelFilterPredicate("error");
    expect(strict(anEvent("warn"))).toBe("no");
    expect(strict(anEvent("error"))).toBe("maybe");
  });

  it("applies per-namespace levels to the namespace and those under it", () => {
    const predicate = new LogLevelFilterPredicate("warn");
    predicate.setLogLevelForNamespace("torsion", "debug");
    predicate.setLogLevelForNamespace("torsion.reactor", "error");
    expect(predicate.logLevelForNamespace("torsion")).toBe("debug");
    expect(predicate.logLevelForNamespace("torsion.tcp.port")).toBe("debug");
    expect(predicate.logLevelForNamespace("torsion.reactor.delayed")).toBe("error");
    expect(predicate.logLevelForNamespace("torsionx")).toBe("warn");
    expect(predicate.logLevelForNamespace(undefined)).toBe("warn");
    expect(predicate(anEvent("debug", "torsion.tcp"))).toBe("maybe");
    expect(predicate(anEvent("warn", "torsion.reactor"))).toBe("no");
    expect(predicate(anEvent("info", "other"))).toBe("no");
  });

  it("sets the default with an empty namespace, and clears back to the constructor's", () => {
    const predicate = new LogLevelFilterPredicate("info");
    predicate.setLogLevelForNamespace("", "critical");
    expect(predicate(anEvent("error", "x"))).toBe("no");
    predicate.setLogLevelForNamespace("x", "debug");
    predicate.clearLogLevels();
    expect(predicate.logLevelForNamespace("x")).toBe("info");
    expect(predicate(anEvent("error", "x"))).toBe("maybe");
  });

  it("drops events without a level or namespace", () => {
    const predicate = new LogLevelFilterPredicate("debug");
    expect(predicate({ log_format: "x", log_namespace: "a" } as LogEvent)).toBe("no");
    expect(predicate({ log_format: "x", log_level: "error" } as LogEvent)).toBe("no");
  });

  it("rejects invalid levels", () => {
    const predicate = new LogLevelFilterPredicate();
    expect(() => predicate.setLogLevelForNamespace("a", "loud" as LogLevel)).toThrow(
      InvalidLogLevelError,
    );
    expect(() => new LogLevelFilterPredicate("loud" as LogLevel)).toThrow(InvalidLogLevelError);
  });

  it("filters a whole observer, as `twist --log-level` will", () => {
    const seen: string[] = [];
    const levels = new LogLevelFilterPredicate("warn");
    levels.setLogLevelForNamespace("chatty", "debug");
    const filtering = new FilteringLogObserver(
      (e) => seen.push(`${e.log_namespace}#${e.log_level}`),
      [levels],
    );
    for (const level of ["debug", "info", "warn"] as const) {
      filtering(anEvent(level, "quiet"));
      filtering(anEvent(level, "chatty.sub"));
    }
    expect(seen).toEqual(["chatty.sub#debug", "chatty.sub#info", "quiet#warn", "chatty.sub#warn"]);
  });
});
