import { defineProject, mergeConfig } from "vitest/config";
import shared from "../vitest.shared.ts";

export default mergeConfig(
  shared,
  defineProject({
    test: {
      include: ["**/*.test.ts"],
      // plugin-template is create-torsion-plugin's output, a standalone package on published
      // ranges: its tests run outside the workspace, in .ci/steps/30-plugin-scaffold.sh.
      exclude: ["**/node_modules/**", "**/dist/**", "plugin-template/**"],
    },
  }),
);
