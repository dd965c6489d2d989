import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

// The CLI tests run `twist` as a child process from dist/: the global setup builds this package
// (and @torsion/core) first when their dist/ is missing or older than their sources.
export default mergeConfig(
  shared,
  defineProject({ test: { globalSetup: ["./test/build-dist.ts"] } }),
);
