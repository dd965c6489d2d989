import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger, LogLevel } from "@torsion/core";
import { describe, expect, it } from "vitest";
import { type LoggingOptions, makeLogObserver } from "./logging.ts";

/** Log one info and one warning through the observer `options` make; return what was written. */
function logTwo(options: Omit<LoggingOptions, "stdout">, isTTY: boolean): string {
  let out = "";
  const stdout = { isTTY, write: (text: string) => (out += text) };
  const { observer, close } = makeLogObserver({ ...options, stdout });
  const log = new Logger("test.logging", undefined, observer);
  log.info("hello {who}", { who: "world" });
  log.warn("careful");
  close();
  return out;
}

describe("twist's log observer", () => {
  it("writes text on a terminal and JSON (one object a line) otherwise", () => {
    const opts = { file: "-", format: undefined, level: LogLevel.info };
    const text = logTwo(opts, true);
    expect(text).toMatch(/^\S+ \[test\.logging#info\] hello world\n/);
    const json = logTwo(opts, false)
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string });
    expect(json.map((r) => r.msg)).toEqual(["hello world", "careful"]);
  });

  it("--log-format overrides what the terminal would choose", () => {
    expect(() =>
      JSON.parse(logTwo({ file: "-", format: "json", level: LogLevel.info }, true).split("\n")[0]!),
    ).not.toThrow();
    expect(logTwo({ file: "-", format: "text", level: LogLevel.info }, false)).toContain(
      "] hello world",
    );
  });

  it("--log-level drops the events below it", () => {
    const out = logTwo({ file: "-", format: "text", level: LogLevel.warn }, false);
    expect(out).not.toContain("hello world");
    expect(out).toContain("careful");
  });

  it("--log-file appends to the file, not standard output", () => {
    const dir = mkdtempSync(join(tmpdir(), "torsion-log-"));
    try {
      const file = join(dir, "twist.log");
      expect(logTwo({ file, format: "text", level: LogLevel.info }, true)).toBe("");
      logTwo({ file, format: "text", level: LogLevel.info }, true);
      const lines = readFileSync(file, "utf8").trim().split("\n");
      expect(lines.length).toBe(4);
      expect(lines[0]).toContain("hello world");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
