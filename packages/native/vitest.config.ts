import { fileURLToPath } from "node:url";
import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

/**
 * The native package's own tests, plus every core suite (`src/` unit tests and `test/` loopback
 * suites) run again on the native transport (TORSION_TRANSPORT=native): the same files, not
 * copies. Core's own project runs them on the portable transport.
 */
export default mergeConfig(
  shared,
  defineProject({
    test: {
      include: ["test/**/*.test.ts", "../core/test/*.test.ts", "../core/src/**/*.test.ts"],
      env: { TORSION_TRANSPORT: "native" },
      setupFiles: [fileURLToPath(new URL("./test/setup-core-suites.ts", import.meta.url))],
    },
  }),
);
