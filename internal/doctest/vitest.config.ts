import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

export default mergeConfig(
  shared,
  defineProject({
    // Type-checking every TS block is one TypeScript program: seconds, not milliseconds.
    test: { hookTimeout: 120_000, testTimeout: 60_000 },
  }),
);
