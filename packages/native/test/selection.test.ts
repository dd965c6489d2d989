import { describe, expect, it } from "vitest";
import { createReactor } from "../../core/src/index.ts";
import { transportOf } from "../../core/src/reactor/transport-choice.ts";
import { available } from "../src/index.ts";

describe.runIf(available)("transport selection", () => {
  it("uses native when asked, and for TORSION_TRANSPORT=native", () => {
    expect(transportOf(createReactor({ transport: "native" }))).toBe("native");
    expect(transportOf(createReactor({ transport: "auto" }))).toBe("native");
    expect(transportOf(createReactor({ transport: "portable" }))).toBe("portable");
    expect(process.env.TORSION_TRANSPORT).toBe("native");
    expect(transportOf(createReactor())).toBe("native");
  });

  it("refuses an unknown transport", () => {
    expect(() => createReactor({ transport: "fast" as "native" })).toThrow(RangeError);
  });
});
