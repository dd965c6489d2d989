import { defineProject } from "vitest/config";

/** Shared per-package test config: resolve sibling packages to their TypeScript source. */
export default defineProject({
  ssr: { resolve: { conditions: ["@torsion/source"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 20_000,
  },
});
