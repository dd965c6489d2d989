import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.ts";
import { checkPluginOptions, describeOptions, parsePluginArgs } from "./options.ts";
import type { PluginOptions } from "./types.ts";

const spec = {
  listen: {
    type: "string",
    multiple: true,
    short: "l",
    default: ["tcp:8007"],
    description: "Endpoint to listen on (repeatable)",
  },
  quote: { type: "string", description: "The quote" },
  verbose: { type: "boolean", short: "v", description: "Say more" },
  extra: { type: "string", multiple: true, description: "More" },
} satisfies PluginOptions;

describe("parsePluginArgs", () => {
  it("applies defaults, and repeated values replace the default", () => {
    expect(parsePluginArgs("echo", spec, []).values).toEqual({
      listen: ["tcp:8007"],
      verbose: false,
      extra: [],
    });
    const { values } = parsePluginArgs("echo", spec, [
      "--listen",
      "tcp:1",
      "-l",
      "unix:/s",
      "-v",
      "--quote=hi",
    ]);
    expect(values).toEqual({ listen: ["tcp:1", "unix:/s"], quote: "hi", verbose: true, extra: [] });
  });

  it("reports --help", () => {
    expect(parsePluginArgs("echo", spec, ["--help"]).help).toBe(true);
  });

  it.each([[["--bogus"]], [["--quote"]], [["stray"]], [["--verbose=yes"]]])(
    "refuses %j with a UsageError naming the plugin",
    (args) => {
      expect(() => parsePluginArgs("echo", spec, args)).toThrow(UsageError);
      expect(() => parsePluginArgs("echo", spec, args)).toThrow(/^echo: /);
    },
  );
});

describe("checkPluginOptions", () => {
  it("accepts config values, wrapping a single value of a repeatable option", () => {
    expect(checkPluginOptions("echo", spec, { listen: "tcp:9", verbose: true })).toEqual({
      listen: ["tcp:9"],
      verbose: true,
      extra: [],
    });
  });

  it("refuses unknown names and wrong types", () => {
    expect(() => checkPluginOptions("echo", spec, { port: 1 })).toThrow(/unknown option "port"/);
    expect(() => checkPluginOptions("echo", spec, { quote: 1 })).toThrow(/quote must be a string/);
    expect(() => checkPluginOptions("echo", spec, { quote: ["a"] })).toThrow(/takes one value/);
  });
});

describe("describeOptions", () => {
  it("lists every option with its default", () => {
    const text = describeOptions(spec);
    expect(text).toContain("-l, --listen <value>");
    expect(text).toContain("[default: tcp:8007]");
    expect(text).toContain("-v, --verbose");
  });
});
