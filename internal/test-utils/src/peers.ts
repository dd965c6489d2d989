/**
 * Peers written by others (Twisted, nc, rdate) for interoperability tests: whether each is
 * installed, and how to run it. Tests that need a missing peer skip with the reason in their
 * title; `.ci/run` installs them. Shared by the protocol packages' interop tests.
 *
 * @module
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";

/** The Python that interop tests run Twisted peers with. */
export const PYTHON = "/usr/bin/python3";

/** Whether `/usr/bin/python3` can import twisted. */
export const hasTwisted: boolean =
  existsSync(PYTHON) &&
  spawnSync(PYTHON, ["-c", "import twisted"], { stdio: "ignore" }).status === 0;

/** The skip reason for Twisted tests, to put in their title. */
export const twistedReason: string = hasTwisted
  ? "Twisted is installed"
  : "skipped: /usr/bin/python3 with twisted (python3-twisted) is not installed";

/** Run a program to completion; resolves with its stdout (bytes), stderr and exit code. */
export async function run(
  command: string,
  args: readonly string[],
  input?: string,
): Promise<{ stdout: Buffer; stderr: string; code: number | null }> {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
  const out: Buffer[] = [];
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => out.push(d));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdin.end(input ?? "");
  const [code] = (await once(child, "close")) as [number | null];
  return { stdout: Buffer.concat(out), stderr, code };
}

/** Start a server script that prints its port on its first line; resolves once it has. */
export async function startServer(
  command: string,
  args: readonly string[],
): Promise<{ port: number; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      text += d.toString();
      const m = /^(\d+)\n/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`${command} exited with ${code}: ${stderr}`)));
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  };
  return { port, child, stop };
}
