/**
 * Option shapes with literal types, so a plugin's options can be declared with an explicit
 * type (isolatedDeclarations) and still type `makeService`'s parsed values precisely.
 *
 * @module
 */
import type { PluginOption } from "./contract.ts";

/** A repeatable string option: parsed as `string[]`. */
export type StringListOption = PluginOption & { type: "string"; multiple: true; default: string[] };
/** A string option with a default: parsed as `string`. */
export type StringOption = PluginOption & { type: "string"; multiple?: false; default: string };
/** A string option without a default: parsed as `string | undefined`. */
export type OptionalStringOption = PluginOption & {
  type: "string";
  multiple?: false;
  default?: undefined;
};

/** The `listen` option of every server plugin, defaulting to `tcp:<port>`. */
export function listenOption(port: number): StringListOption {
  return {
    type: "string",
    multiple: true,
    short: "l",
    default: [`tcp:${port}`],
    description: "Endpoint to listen on (repeatable)",
  };
}

/** The `udp` option of every server plugin: none by default. */
export function udpOption(): StringListOption {
  return {
    type: "string",
    multiple: true,
    short: "u",
    default: [],
    description: "Also serve on this UDP address: PORT or HOST:PORT (repeatable)",
  };
}

/** A boolean flag: parsed as `boolean`. */
export type BooleanOption = PluginOption & { type: "boolean"; multiple?: false; default: boolean };
