/**
 * The scaffolded `package.json`: a standalone package with published ranges only.
 *
 * @module
 */
import { serverDescription, type TemplateContext } from "./context.ts";

/** The scaffolded plugin's `package.json`. */
export function packageJson(ctx: TemplateContext): string {
  const r = (name: string): string => ctx.ranges[name]!;
  const build = "tsc -p tsconfig.json";
  const pkg = {
    name: ctx.packageName,
    version: "0.1.0",
    description: `A Torsion plugin: ${serverDescription(ctx).replace(/^A/, "a")}`,
    license: "MIT",
    type: "module",
    sideEffects: false,
    exports: {
      ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
      "./plugin": { types: "./dist/plugin.d.ts", default: "./dist/plugin.js" },
      "./package.json": "./package.json",
    },
    files: ["dist", "!dist/**/*.test.*"],
    engines: { node: ">=20.19" },
    keywords: ["torsion", "torsion-plugin", ctx.pluginName],
    torsion: {
      plugins: [{ name: ctx.pluginName, description: serverDescription(ctx), module: "./plugin" }],
    },
    scripts: {
      build,
      // The discovery test loads the plugin as twist does, from dist/: build first, so that
      // `npm test` passes before or after `npm run build` (the README says so too).
      pretest: build,
      test: "vitest run",
      prepack: build,
    },
    dependencies: {
      ...(ctx.protocol === "line" ? { "@torsion/basic": r("@torsion/basic") } : {}),
      "@torsion/core": r("@torsion/core"),
    },
    peerDependencies: { "@torsion/application": r("@torsion/application") },
    peerDependenciesMeta: { "@torsion/application": { optional: true } },
    devDependencies: {
      "@torsion/application": r("@torsion/application"),
      "@types/node": r("@types/node"),
      typescript: r("typescript"),
      vitest: r("vitest"),
    },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}
