import { describe, expect, it } from "vitest";
import { satisfies, validRange } from "./semver.ts";

describe("satisfies", () => {
  it.each([
    ["1.2.3", "1.2.3", true],
    ["1.2.4", "=1.2.3", false],
    ["1.9.0", "^1.2.3", true],
    ["2.0.0", "^1.2.3", false],
    ["1.2.2", "^1.2.3", false],
    ["0.2.9", "^0.2.3", true],
    ["0.3.0", "^0.2.3", false],
    ["0.0.3", "^0.0.3", true],
    ["0.0.4", "^0.0.3", false],
    ["0.9.0", "^0.x", true],
    ["1.2.9", "~1.2.3", true],
    ["1.3.0", "~1.2.3", false],
    ["1.9.9", "~1", true],
    ["3.0.0", ">=1.2.0", true],
    ["1.1.0", ">=1.2.0", false],
    ["1.5.0", ">=1.2.0 <2", true],
    ["2.0.0", ">=1.2.0 <2", false],
    ["2.0.0-rc.1", "<2.0.0", false],
    ["1.0.0", "^2.0.0 || ^1.0.0", true],
    ["1.4.0", "1.x", true],
    ["5.0.0", "*", true],
    ["0.0.0", "workspace:^", true],
    ["9.9.9", "workspace:*", true],
    ["1.3.0", "workspace:^1.2.0", true],
    ["2.0.0", "workspace:^1.2.0", false],
  ])("%s in %s: %s", (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });

  it("rejects what it cannot parse", () => {
    expect(validRange("^1.2.3")).toBe(true);
    expect(validRange("banana")).toBe(false);
    expect(() => satisfies("x", "^1")).toThrow(TypeError);
  });
});
