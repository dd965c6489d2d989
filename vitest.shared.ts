import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

/** Shared per-package test config: resolve sibling packages to their TypeScript source. */
export default defineProject({
  ssr: { resolve: { conditions: ["@torsion/source"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 20_000,
    // Quiet the logger's pre-begin stderr fallback (TORSION_TEST_LOG=1 shows every event); run on
    // the default transport as programs do (native when the addon loads).
    setupFiles: [
      fileURLToPath(new URL("./internal/test-utils/src/quiet-logging.ts", import.meta.url)),
      fileURLToPath(new URL("./internal/test-utils/src/default-transport.ts", import.meta.url)),
    ],
  },
});
