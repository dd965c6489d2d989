import { describe, expect, it } from "vitest";
import { InvalidLogLevelError } from "../errors.ts";
import {
  compareLogLevels,
  isLogLevel,
  LogLevel,
  logLevelFromName,
  logLevelPriority,
} from "./levels.ts";

describe("LogLevel", () => {
  it("names the five levels, least to most severe", () => {
    expect(LogLevel.levels).toEqual(["debug", "info", "warn", "error", "critical"]);
    expect(LogLevel.warn).toBe("warn");
    expect(LogLevel.levels.map(logLevelPriority)).toEqual([0, 1, 2, 3, 4]);
  });

  it("orders levels", () => {
    expect(compareLogLevels("debug", "info")).toBeLessThan(0);
    expect(compareLogLevels("critical", "error")).toBeGreaterThan(0);
    expect(LogLevel.compare("warn", "warn")).toBe(0);
    expect(LogLevel.isAtLeast("error", "warn")).toBe(true);
    expect(LogLevel.isAtLeast("info", "warn")).toBe(false);
  });

  it("looks levels up by name, ignoring case and accepting warning/fatal", () => {
    expect(logLevelFromName("info")).toBe("info");
    expect(LogLevel.levelWithName("DEBUG")).toBe("debug");
    expect(logLevelFromName("Warning")).toBe("warn");
    expect(logLevelFromName("fatal")).toBe("critical");
  });

  it("rejects unknown names and values with InvalidLogLevelError", () => {
    expect(() => logLevelFromName("verbose")).toThrow(InvalidLogLevelError);
    expect(() => logLevelFromName("toString")).toThrow(InvalidLogLevelError);
    expect(() => logLevelPriority("loud" as LogLevel)).toThrow(/Invalid log level: "loud"/);
    try {
      logLevelFromName("nope");
    } catch (e) {
      expect((e as InvalidLogLevelError).level).toBe("nope");
    }
    expect(isLogLevel("info")).toBe(true);
    expect(isLogLevel("constructor")).toBe(false);
    expect(isLogLevel(3)).toBe(false);
  });
});
