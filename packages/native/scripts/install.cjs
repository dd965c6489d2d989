// Builds the addon from source with node-gyp against the running Node's headers. Never fails
// the install: when the build cannot run (no compiler, no headers on this machine, disabled)
// the package still installs and reports itself unavailable, and Torsion uses the portable
// transport. Nothing is downloaded: without local headers the build is skipped.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");

function note(message) {
  process.stderr.write(`@torsion/native: ${message}\n`);
}

/** A directory holding include/node/node_api.h for this Node, or undefined. */
function nodeDir() {
  const candidates = [
    process.env.npm_config_nodedir,
    path.resolve(process.execPath, "..", ".."),
    path.join(process.env.HOME ?? "", ".cache", "node-gyp", process.versions.node),
  ];
  for (const dir of candidates) {
    if (dir && fs.existsSync(path.join(dir, "include", "node", "node_api.h"))) return dir;
  }
  return undefined;
}

/** How to run node-gyp: the one npm hands to install scripts, npm's own, or one on PATH. */
function nodeGyp() {
  const prefix = path.resolve(process.execPath, "..", "..");
  const scripts = [
    process.env.npm_config_node_gyp,
    path.join(
      prefix,
      "lib",
      "node_modules",
      "npm",
      "node_modules",
      "node-gyp",
      "bin",
      "node-gyp.js",
    ),
  ];
  for (const script of scripts) {
    if (script && fs.existsSync(script)) return [process.execPath, script];
  }
  return ["node-gyp"]; // pnpm puts its own on PATH for install scripts
}

function main() {
  if (process.env.TORSION_NATIVE_DISABLE) {
    note("TORSION_NATIVE_DISABLE is set: not building the addon (the portable transport is used)");
    fs.rmSync(path.join(root, "build"), { recursive: true, force: true });
    return;
  }
  if (process.platform === "win32") {
    note("not supported on Windows yet: the portable transport is used");
    return;
  }
  const dir = nodeDir();
  if (dir === undefined) {
    note(
      "no Node headers on this machine (and nothing is downloaded): the portable transport is used",
    );
    return;
  }
  const [cmd, ...pre] = nodeGyp();
  const result = spawnSync(cmd, [...pre, "rebuild", `--nodedir=${dir}`, "--loglevel=error"], {
    cwd: root,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  if (result.status === 0) return;
  const why =
    result.error?.message ?? (result.stderr || "").trim().split("\n").slice(-5).join("\n");
  note(`building the addon failed; the portable transport is used.\n${why}`);
}

try {
  main();
} catch (error) {
  note(`install script error (ignored): ${error}`);
}
