import { Factory, type IProtocolFactory, Protocol } from "@torsion/core";
import { describe, expect, it } from "vitest";
import { recordListens } from "./plugins.ts";

describe("recordListens", () => {
  it("records each listen call in order and passes it on, keeping the other helpers", () => {
    const passed: Array<[string, IProtocolFactory]> = [];
    const real = {
      name: "real",
      listen(description: string, factory: IProtocolFactory): string {
        passed.push([description, factory]);
        return `service for ${description}`;
      },
    };
    const a = Factory.forProtocol(Protocol);
    const b = Factory.forProtocol(Protocol);
    const h = recordListens(real);
    expect(h.helpers.listen("tcp:1", a)).toBe("service for tcp:1");
    expect(h.helpers.listen("tcp:2", b)).toBe("service for tcp:2");
    expect(h.listened).toEqual([
      ["tcp:1", a],
      ["tcp:2", b],
    ]);
    expect(passed).toEqual(h.listened);
    expect(h.helpers.name).toBe("real");
    expect(recordListens(real).listened).toEqual([]);
  });
});
