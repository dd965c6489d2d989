/**
 * Every file of a scaffolded plugin, by path.
 *
 * @module
 */
import type { TemplateContext } from "./context.ts";
import { packageJson } from "./package-json.ts";
import { pluginSource } from "./plugin.ts";
import { indexSource, protocolSource } from "./protocol.ts";
import { readme } from "./readme.ts";
import { pluginTest, protocolTest } from "./tests.ts";
import { gitignore, tsconfigJson } from "./tsconfig.ts";

/** The scaffolded files: relative path (with `/`) → content, in a stable order. */
export function templateFiles(ctx: TemplateContext): Map<string, string> {
  return new Map([
    [".gitignore", gitignore()],
    ["README.md", readme(ctx)],
    ["package.json", packageJson(ctx)],
    ["tsconfig.json", tsconfigJson()],
    ["src/index.ts", indexSource(ctx)],
    [`src/${ctx.pluginName}.ts`, protocolSource(ctx)],
    [`src/${ctx.pluginName}.test.ts`, protocolTest(ctx)],
    ["src/plugin.ts", pluginSource(ctx)],
    ["src/plugin.test.ts", pluginTest(ctx)],
  ]);
}
