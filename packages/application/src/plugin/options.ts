/**
 * A plugin's options: parsed from the command line (`node:util` `parseArgs`) or taken from a
 * config file, checked against the plugin's spec, and described for `--help`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { UsageError } from "../errors.ts";
import { joinDashValues, usageFromParseArgs } from "../parse-args-usage.ts";
import type { PluginOption, PluginOptions } from "./types.ts";

/** Parsed option values. */
export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/**
 * Parse `args` (what follows `twist <plugin>`) against `spec`. `--help`/`-h` are reserved and
 * reported as `help: true` (when the spec does not define them itself).
 *
 * @throws UsageError for an unknown option, a missing value, a value given to a flag, or a
 *   stray positional argument.
 */
export function parsePluginArgs(
  pluginName: string,
  spec: PluginOptions,
  args: readonly string[],
): { values: OptionValues; help: boolean } {
  const options: Record<
    string,
    { type: "string" | "boolean"; short?: string; multiple?: boolean }
  > = {};
  for (const [name, o] of Object.entries(spec)) {
    options[name] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
    };
  }
  const helpDefined = "help" in spec;
  if (!helpDefined)
    options.help = {
      type: "boolean",
      ...(Object.values(spec).some((o) => o.short === "h") ? {} : { short: "h" }),
    };
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: joinDashValues(args, (name) => options[name]?.type === "string"),
      options,
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw usageFromParseArgs(error, pluginName, `twist ${pluginName} --help lists its options`);
  }
  const help = !helpDefined && parsed.values.help === true;
  if (!helpDefined) delete parsed.values.help;
  if (parsed.positionals.length > 0 && !help) {
    throw new UsageError(
      `${pluginName}: unexpected argument ${JSON.stringify(parsed.positionals[0])}`,
    );
  }
  return { values: withDefaults(spec, parsed.values as OptionValues), help };
}

/**
 * Check `values` (from a config file) against `spec`: names must exist, types must match; a
 * single value is accepted for a `multiple` option. Defaults fill what is missing.
 *
 * @throws UsageError naming the plugin and the option.
 */
export function checkPluginOptions(
  pluginName: string,
  spec: PluginOptions,
  values: Record<string, unknown>,
): OptionValues {
  const out: OptionValues = {};
  for (const [name, value] of Object.entries(values)) {
    const o = spec[name];
    if (o === undefined || !Object.hasOwn(spec, name)) {
      throw new UsageError(
        `${pluginName}: unknown option ${JSON.stringify(name)} (known: ${Object.keys(spec).join(", ") || "none"})`,
      );
    }
    const list = o.multiple ? (Array.isArray(value) ? value : [value]) : [value];
    if (!o.multiple && Array.isArray(value))
      throw new UsageError(`${pluginName}: option ${name} takes one value, not a list`);
    for (const v of list) {
      const ok = o.type === "string" ? typeof v === "string" : typeof v === "boolean";
      if (!ok)
        throw new UsageError(
          `${pluginName}: option ${name} must be a ${o.type}, not ${JSON.stringify(v)}`,
        );
    }
    out[name] = o.multiple ? (list as string[] | boolean[]) : (value as string | boolean);
  }
  return withDefaults(spec, out);
}

function withDefaults(spec: PluginOptions, values: OptionValues): OptionValues {
  const out: OptionValues = { ...values };
  for (const [name, o] of Object.entries(spec)) {
    if (out[name] !== undefined) continue;
    const d = o.default;
    if (d !== undefined) out[name] = typeof d === "object" ? ([...d] as string[] | boolean[]) : d;
    else if (o.multiple) out[name] = [];
    else if (o.type === "boolean") out[name] = false;
  }
  return out;
}

/** The option list for `--help`: one line per option, aligned, with the default. */
export function describeOptions(spec: PluginOptions): string {
  const rows = Object.entries(spec).map(
    ([name, o]) => [optionSyntax(name, o), optionHelp(o)] as const,
  );
  const width = Math.min(34, Math.max(0, ...rows.map(([s]) => s.length)));
  return rows.map(([s, h]) => `  ${s.padEnd(width)}  ${h}`).join("\n");
}

function optionSyntax(name: string, o: PluginOption): string {
  const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}`;
  return o.type === "string" ? `${flag} <value>` : flag;
}

function optionHelp(o: PluginOption): string {
  const parts = [o.description];
  if (o.multiple && !/repeat/i.test(o.description)) parts.push("(repeatable)");
  if (o.default !== undefined && !(o.type === "boolean" && o.default === false)) {
    parts.push(`[default: ${Array.isArray(o.default) ? o.default.join(", ") : String(o.default)}]`);
  }
  return parts.join(" ");
}
