// `twist echo --listen stdio:` serves on its own standard input and output (inetd style):
// lines written to the child's stdin come back on its stdout, untouched by twist's
// redirection of stdout into the log, and closing stdin ends the connection and the process.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, fixtureDir } from "./twist.ts";

describe("twist --listen stdio:", () => {
  it("echoes stdin to stdout, then exits 0 when stdin closes", async () => {
    const dir = fixtureDir();
    const log = join(dir, "twist.log");
    const child = spawn(process.execPath, [CLI, "--log-file", log, "echo", "--listen", "stdio:"], {
      cwd: dir,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const echoed = (text: string): Promise<void> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (stdout.includes(text)) resolve();
        };
        child.stdout.on("data", check);
        child.once("exit", () => reject(new Error(`exited before echoing; stderr: ${stderr}`)));
        check();
      });

    child.stdin.write("first line\n");
    await echoed("first line\n");
    child.stdin.write("second ");
    child.stdin.write("line\n");
    await echoed("second line\n");
    child.stdin.end();

    expect(await exited).toBe(0);
    expect(stdout).toBe("first line\nsecond line\n");
    expect(stderr).toBe("");
    const messages = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain("Started echo");
    expect(messages.join("\n")).not.toContain("first line");
  });

  it("logs to standard error when --log-file is not given, keeping stdout for the connection", async () => {
    const dir = fixtureDir();
    const child = spawn(process.execPath, [CLI, "echo", "--listen", "stdio:"], {
      cwd: dir,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.stdin.end("only the echo\n");
    expect(await exited).toBe(0);
    expect(stdout).toBe("only the echo\n");
    const messages = stderr
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain("Started echo");
    expect(messages.join("\n")).not.toContain("only the echo");
  });
});
