/**
 * `react()` keeps the process running through an unhandled promise rejection, logging it as
 * "Unhandled error" with its stack. Run in a child process over the built package (`dist/`):
 * the test runner treats any unhandled rejection in its own process as a failure.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const distLogger = fileURLToPath(new URL("../dist/logger.js", import.meta.url));

const program = `
import { react } from ${JSON.stringify(dist)};
import { globalLogPublisher } from ${JSON.stringify(distLogger)};
globalLogPublisher.addObserver((e) => {
  if (e.log_format === "Unhandled error") {
    console.log("LOGGED " + String(e.log_level?.name ?? e.log_level) + " " + e.log_failure.getTraceback().split("\\n")[0]);
  }
});
await react(async (reactor) => {
  void Promise.reject(new Error("nobody awaited me"));
  await new Promise((r) => setTimeout(r, 50));
  console.log("STILL RUNNING");
}, [], undefined, { exit: (code) => { console.log("EXIT " + code); } });
`;

describe.skipIf(!existsSync(dist))("react() and unhandled rejections (needs `pnpm build`)", () => {
  it("logs the rejection as Unhandled error, with its stack, and keeps running", () => {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", program], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.stderr).not.toMatch(/triggerUncaughtException|ERR_UNHANDLED_REJECTION/);
    expect(r.stdout).toContain("LOGGED critical Error: nobody awaited me");
    expect(r.stdout).toContain("STILL RUNNING");
    expect(r.stdout).toContain("EXIT 0");
    expect(r.status).toBe(0);
  });
});
