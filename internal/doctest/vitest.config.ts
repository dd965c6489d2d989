import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

export default mergeConfig(
  shared,
  defineProject({
    // Before the blocks: a build when dist/ is stale (a minute on a fresh clone), then one
    // TypeScript program for every TS block (seconds).
    test: { hookTimeout: 400_000, testTimeout: 60_000 },
  }),
);
