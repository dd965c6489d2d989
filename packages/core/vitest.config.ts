import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

/**
 * Core's suites here run on the portable transport (`node:net`); the `@torsion/native` project
 * runs the same files again on the native one, so both transports pass every core test while
 * the rest of the repository's tests run on the default (`auto`).
 */
export default mergeConfig(
  shared,
  defineProject({ test: { env: { TORSION_TRANSPORT: "portable" } } }),
);
