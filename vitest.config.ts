import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["packages/*", "examples", "internal/*"],
    // `pnpm test --coverage` (or `pnpm vitest run --project @torsion/application --coverage`):
    // line coverage of the packages' sources by the in-process tests. Child processes (the CLI
    // tests run the built `twist`) are not measured.
    coverage: {
      provider: "v8",
      include: ["packages/*/src/**/*.ts"],
      exclude: ["**/*.test.ts", "**/*.bench.ts", "**/*.d.ts"],
      reporter: ["text-summary", "text", "json-summary", "html"],
      reportsDirectory: "coverage",
    },
  },
});
