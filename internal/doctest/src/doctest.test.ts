/**
 * The doc tests: every fenced `ts`/`js`/`sh` block of every README and guide is run, or says
 * with a `<!-- doctest: skip <reason> -->` comment why it is not.
 *
 * - `ts`: type-checked, all blocks as one program, against the packages' built `.d.ts`; then
 *   its types stripped and executed like a `js` block, unless marked `typecheck-only <reason>`.
 * - `js`: executed by Node (an ES module) with a bounded timeout; it must exit 0.
 * - `sh`: run by `bash -euo pipefail` from the repository root with a bounded timeout; a block
 *   that starts a server binds it to loopback and the whole process group is killed after.
 *
 * Each block is a test named `<page>:<line>`, so a failure names the file and line.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stalePackages } from "./build.ts";
import { type CodeBlock, extractCodeBlocks } from "./markdown.ts";
import { docPages } from "./pages.ts";
import { runBounded } from "./run.ts";
import { transpile, typecheck } from "./typecheck.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const work = fileURLToPath(new URL("../.work/", import.meta.url));
const RUN_TIMEOUT_MS = 30_000;
const BUILD_TIMEOUT_MS = 300_000;

interface PlannedBlock {
  readonly page: string;
  readonly block: CodeBlock;
  /** Where the block is written (absent for prose languages). */
  readonly path: string | null;
}

function pageDir(page: string): string {
  return join(work, page.replace(/\.md$/, "").replaceAll("/", "__"));
}

function plan(): PlannedBlock[] {
  const planned: PlannedBlock[] = [];
  for (const page of docPages(root)) {
    for (const block of extractCodeBlocks(readFileSync(join(root, page), "utf8"))) {
      const ext = block.language === "ts" ? "ts" : block.language === "js" ? "mjs" : "sh";
      const name =
        block.directive.kind === "file" ? block.directive.name : `block-L${block.line}.${ext}`;
      planned.push({ page, block, path: block.language ? join(pageDir(page), name) : null });
    }
  }
  return planned;
}

const blocks = plan();
const counts = { run: 0, typecheckOnly: 0, skipped: 0, files: 0 };
const skips: string[] = [];
let diagnostics = new Map<string, string[]>();

beforeAll(async () => {
  // The blocks run against the built packages, as a user's would: build first when a fresh
  // clone has no dist/ or a source changed since (turbo builds only what changed).
  const stale = stalePackages(root);
  if (stale.length > 0) {
    const build = await runBounded(
      join(root, "node_modules/.bin/turbo"),
      ["run", "build", "--output-logs=errors-only"],
      {
        cwd: root,
        timeoutMs: BUILD_TIMEOUT_MS,
      },
    );
    if (build.code !== 0) {
      throw new Error(
        `the doc tests need the packages built (${stale.join(", ")} stale), and \`turbo run build\` failed:\n${build.output}`,
      );
    }
  }
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // Blocks are ES modules, as in a package with "type": "module" (what the quick start says).
  writeFileSync(join(work, "package.json"), '{ "type": "module", "private": true }\n');
  for (const { block, path } of blocks) {
    if (!path || block.directive.kind === "skip") continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, block.code);
    // Beside each TS file, its JavaScript: `./hash.js` in one block finds the `hash.ts` of another.
    if (block.language === "ts") writeFileSync(jsFor(path), transpile(block.code));
  }
  const tsFiles = blocks
    .filter((b) => b.block.language === "ts" && b.block.directive.kind !== "skip")
    .map((b) => b.path!);
  diagnostics = typecheck(tsFiles);
});

afterAll(() => {
  const summary =
    `doc tests: ${counts.run} blocks run, ${counts.typecheckOnly} ts blocks type-checked only, ` +
    `${counts.files} support files, ${counts.skipped} skipped`;
  console.log([summary, ...skips.map((s) => `  skipped ${s}`)].join("\n"));
});

describe.each([...new Set(blocks.map((b) => b.page))])("%s", (page) => {
  for (const { block, path } of blocks.filter((b) => b.page === page)) {
    const where = `${page}:${block.line}`;
    if (block.info === "") {
      it(`${where} has a language`, () => {
        expect.fail(`${where}: give the fence a language (ts, js, sh, text, json...)`);
      });
      continue;
    }
    if (!block.language || !path) continue; // Prose: text, json, python...
    const { directive } = block;
    if (directive.kind === "invalid") {
      it(`${where} directive`, () => {
        expect.fail(`${where}: unknown doctest directive "${directive.text}"`);
      });
      continue;
    }
    if (directive.kind === "skip") {
      counts.skipped++;
      skips.push(`${where} (${block.language}): ${directive.reason}`);
      it.skip(`${where} (${block.language}) — ${directive.reason}`, () => {});
      continue;
    }
    if (directive.kind === "file") {
      counts.files++;
      it(`${where} (${block.language} file ${directive.name})`, async () => {
        if (block.language === "ts") expectTypeChecks(where, block, path);
        if (block.language === "js") await expectNodeAccepts(where, path, ["--check", path]);
      });
      continue;
    }
    const missing =
      directive.kind === "requires" && !commandExists(directive.command)
        ? directive.command
        : undefined;
    if (missing) {
      counts.skipped++;
      skips.push(`${where} (${block.language}): ${missing} is not installed`);
      it.skip(`${where} (${block.language}) — ${missing} is not installed`, () => {});
      continue;
    }
    if (directive.kind === "typecheck-only") {
      if (block.language !== "ts") {
        it(`${where} directive`, () => expect.fail(`${where}: typecheck-only is for ts blocks`));
        continue;
      }
      counts.typecheckOnly++;
      skips.push(`${where} (ts, type-checked, not executed): ${directive.reason}`);
      it(`${where} (ts, type-checked only: ${directive.reason})`, () => {
        expectTypeChecks(where, block, path);
      });
      continue;
    }
    counts.run++;
    it(`${where} (${block.language})`, async () => {
      if (block.language === "ts") {
        expectTypeChecks(where, block, path);
        await expectNodeAccepts(where, path, [jsFor(path)]);
      } else if (block.language === "js") await expectNodeAccepts(where, path, [path]);
      else await expectShellPasses(where, path);
    });
  }
});

function jsFor(tsPath: string): string {
  return tsPath.replace(/\.ts$/, ".js");
}

function commandExists(command: string): boolean {
  return (process.env.PATH ?? "")
    .split(":")
    .some((dir) => dir !== "" && existsSync(join(dir, command)));
}

function expectTypeChecks(where: string, block: CodeBlock, path: string): void {
  const found = diagnostics.get(path) ?? [`not type-checked`];
  // Report each error at its line in the page: the block's text starts after the fence.
  const located = found.map((d) => {
    const [line, rest] = [Number(d.split(":")[0]), d.slice(d.indexOf(":") + 1)];
    return `${where.split(":")[0]}:${block.line + line}:${rest}`;
  });
  expect(located, `${where} does not type-check`).toEqual([]);
}

async function expectNodeAccepts(where: string, path: string, args: string[]): Promise<void> {
  const result = await runBounded(process.execPath, args, {
    cwd: dirname(path),
    timeoutMs: RUN_TIMEOUT_MS,
  });
  expect(
    result.code === 0 && !result.timedOut,
    `${where}: node ${result.timedOut ? "timed out" : `exited ${result.code ?? result.signal}`}\n${result.output}`,
  ).toBe(true);
}

async function expectShellPasses(where: string, path: string): Promise<void> {
  const bin = [join(root, "node_modules/.bin"), join(root, "examples/node_modules/.bin")];
  const result = await runBounded("bash", ["-euo", "pipefail", path], {
    cwd: root,
    env: { ...process.env, PATH: `${bin.join(":")}:${process.env.PATH ?? ""}` },
    timeoutMs: RUN_TIMEOUT_MS,
  });
  expect(
    result.code === 0 && !result.timedOut,
    `${where}: sh ${result.timedOut ? "timed out" : `exited ${result.code ?? result.signal}`}\n${result.output}`,
  ).toBe(true);
}
