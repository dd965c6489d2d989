/**
 * This package's own version, for `twist --version` and the plugin compatibility check.
 *
 * @module
 */
import { readFileSync } from "node:fs";

/** The version of `@torsion/application` in use (from its package.json, one level above src/ and dist/). */
export const applicationVersion: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;
