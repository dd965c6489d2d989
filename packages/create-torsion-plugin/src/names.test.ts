import { describe, expect, it } from "vitest";
import { checkPackageName, checkPluginName, className, pluginNameFor } from "./names.ts";

describe("names", () => {
  it("accepts npm package names, scoped or not", () => {
    for (const name of ["my-plugin", "torsion-plugin-x", "@me/x", "a.b_c~d", "x1"]) {
      expect(checkPackageName(name)).toBe(name);
    }
  });

  it("refuses package names npm would refuse, saying why", () => {
    expect(() => checkPackageName("")).toThrow(/is empty/);
    expect(() => checkPackageName("My-Plugin")).toThrow(/lower-case/);
    expect(() => checkPackageName(".hidden")).toThrow(/starting with a letter or digit/);
    expect(() => checkPackageName("@scope")).toThrow(/no name after it/);
    expect(() => checkPackageName("@Scope/x")).toThrow(/scope/);
    expect(() => checkPackageName("a b")).toThrow(/lower-case/);
    expect(() => checkPackageName("x".repeat(215))).toThrow(/214/);
  });

  it("accepts plugin names that make a class name, and refuses others", () => {
    for (const name of ["reverse", "my-proto2", "a1-b2"]) expect(checkPluginName(name)).toBe(name);
    for (const name of ["", "1st", "-x", "x-", "a--b", "Caps", "a_b", "a.b"]) {
      expect(() => checkPluginName(name), name).toThrow(/must be a lower-case letter/);
    }
  });

  it("derives the plugin name and the class name", () => {
    expect(pluginNameFor("@me/torsion-plugin-reverse")).toBe("reverse");
    expect(pluginNameFor("my-plugin")).toBe("my-plugin");
    expect(className("my-proto2")).toBe("MyProto2");
    expect(className("reverse")).toBe("Reverse");
  });
});
