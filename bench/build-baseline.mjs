#!/usr/bin/env node
// Builds @torsion/basic as it is at a git ref (default `main`) into a directory outside the
// repository, so the framing benchmarks can run it beside the working tree's build in one run:
//
//   node bench/build-baseline.mjs main /tmp/basic-main
//   TORSION_BASIC_BASELINE=/tmp/basic-main pnpm bench lines framing
//
// Only basic's sources are taken from the ref; it is compiled with the repository's own
// TypeScript and resolves `@torsion/core` to this working tree's build (a symlink), so the
// comparison isolates the framing code.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const [ref = "main", outArg] = process.argv.slice(2);
if (outArg === undefined) {
  console.error("usage: node bench/build-baseline.mjs <git-ref> <output-directory>");
  process.exit(64);
}
const out = resolve(outArg);
if (out === repo || out.startsWith(`${repo}/`)) {
  console.error("build-baseline: the output directory must be outside the repository");
  process.exit(64);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "node_modules", "@torsion"), { recursive: true });
const archive = execFileSync("git", ["-C", repo, "archive", ref, "packages/basic/src"]);
execFileSync("tar", ["-x", "-C", out, "--strip-components=2"], { input: archive });
symlinkSync(join(repo, "packages", "core"), join(out, "node_modules", "@torsion", "core"));
symlinkSync(join(repo, "node_modules", "@types"), join(out, "node_modules", "@types"));
writeFileSync(
  join(out, "package.json"),
  JSON.stringify({ name: "torsion-basic-baseline", private: true, type: "module" }),
);
writeFileSync(
  join(out, "tsconfig.json"),
  JSON.stringify({
    extends: join(repo, "tsconfig.build.json"),
    compilerOptions: {
      rootDir: "src",
      outDir: "dist",
      isolatedDeclarations: false,
      declaration: false,
      declarationMap: false,
    },
    include: ["src"],
    exclude: ["src/**/*.test.ts"],
  }),
);
const tsc = createRequire(join(repo, "packages", "basic", "package.json")).resolve(
  "typescript/bin/tsc",
);
execFileSync(process.execPath, [tsc, "-p", join(out, "tsconfig.json")], { stdio: "inherit" });
console.log(`built @torsion/basic at ${ref} into ${join(out, "dist")}`);
