import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CancelledError,
  type Deferred,
  type Failure,
  ProcessDone,
  ProcessKilled,
  ProcessSpawnError,
  ProcessTerminated,
  UnexpectedErrorOutput,
} from "@torsion/core";
import { afterAll, describe, expect, it } from "vitest";
import {
  DEFAULT_MAX_BUFFER,
  getProcessOutput,
  getProcessOutputAndValue,
  getProcessValue,
  OutputLimitExceeded,
} from "../src/index.ts";

const dir = mkdtempSync(join(tmpdir(), "torsion-output-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const missing = "/nonexistent/torsion-no-such-command";

async function failureOf(d: Deferred<unknown>): Promise<Failure> {
  let failure: Failure | undefined;
  await d.addErrback((f: Failure) => {
    failure = f;
  });
  if (failure === undefined) throw new Error("expected the Deferred to fail");
  return failure;
}

describe("getProcessOutput", () => {
  it("fires with everything written to stdout, whatever the exit code (as Twisted)", async () => {
    expect((await getProcessOutput("sh", ["-c", "printf 'a\\nb'; exit 4"])).toString()).toBe(
      "a\nb",
    );
  });

  it("fails with UnexpectedErrorOutput on the first stderr byte; its processEnded fires later", async () => {
    const f = await failureOf(getProcessOutput("sh", ["-c", "echo out; echo oops >&2; exit 0"]));
    const err = f.value as UnexpectedErrorOutput;
    expect(err).toBeInstanceOf(UnexpectedErrorOutput);
    expect(err.output.toString()).toContain("oops");
    expect(f.getErrorMessage()).toContain("got stderr");
    // The pipes were closed on the error output; the shell may die of SIGPIPE or exit 0.
    const ended = await err.processEnded;
    expect(ended instanceof ProcessDone || ended instanceof ProcessTerminated).toBe(true);
  });

  it("with errortoo, stderr is part of the result", async () => {
    const out = await getProcessOutput("sh", ["-c", "echo out; echo err >&2"], { errortoo: true });
    expect(out.toString().split("\n").sort()).toEqual(["", "err", "out"]);
  });

  it("passes env and path", async () => {
    const out = await getProcessOutput("/bin/sh", ["-c", 'echo "$X"; pwd'], {
      env: { X: "y" },
      path: dir,
    });
    const [x, pwd] = out.toString().trim().split("\n");
    expect(x).toBe("y");
    expect(realpathSync(pwd as string)).toBe(realpathSync(dir));
  });

  it("fails with ProcessSpawnError for a missing executable", async () => {
    const f = await failureOf(getProcessOutput(missing));
    expect(f.check(ProcessSpawnError)).toBe(ProcessSpawnError);
  });

  it("cancelling kills the process", async () => {
    const d = getProcessOutput("sleep", ["60"]);
    d.cancel();
    expect((await failureOf(d)).check(CancelledError)).toBe(CancelledError);
  });
});

describe("getProcessValue", () => {
  it("fires with the exit code", async () => {
    expect(await getProcessValue("sh", ["-c", "exit 0"])).toBe(0);
    expect(await getProcessValue("sh", ["-c", "exit 7"])).toBe(7);
  });

  it("fires with null for a process killed by a signal (as Twisted)", async () => {
    expect(await getProcessValue("sh", ["-c", "kill -TERM $$"])).toBeNull();
  });

  it("fails with ProcessSpawnError for a missing executable", async () => {
    const f = await failureOf(getProcessValue(missing));
    expect((f.value as ProcessSpawnError).exitCode).toBe(127);
  });
});

describe("getProcessOutputAndValue", () => {
  it("fires with [stdout, stderr, exitCode]", async () => {
    const [out, err, code] = await getProcessOutputAndValue("sh", [
      "-c",
      "echo o; echo e >&2; exit 3",
    ]);
    expect(out.toString()).toBe("o\n");
    expect(err.toString()).toBe("e\n");
    expect(code).toBe(3);
  });

  it("writes stdinBytes to the child and closes its stdin", async () => {
    const [out, , code] = await getProcessOutputAndValue("cat", [], { stdinBytes: "fed in" });
    expect(out.toString()).toBe("fed in");
    expect(code).toBe(0);
  });

  it("fails with ProcessKilled carrying the output when a signal killed the process", async () => {
    const f = await failureOf(
      getProcessOutputAndValue("sh", ["-c", "echo before; echo warn >&2; kill -KILL $$"]),
    );
    const err = f.value as ProcessKilled;
    expect(err).toBeInstanceOf(ProcessKilled);
    expect(err).toBeInstanceOf(ProcessTerminated);
    expect(err.signal).toBe("SIGKILL");
    expect(err.out.toString()).toBe("before\n");
    expect(err.err.toString()).toBe("warn\n");
  });

  it("fails with ProcessSpawnError for a missing executable", async () => {
    const f = await failureOf(getProcessOutputAndValue(missing));
    expect(f.check(ProcessSpawnError)).toBe(ProcessSpawnError);
    expect(f.check(ProcessDone)).toBeUndefined();
  });
});

describe("maxBuffer", () => {
  const flood = (bytes: number, fd = 1) => [
    "-e",
    `process.${fd === 1 ? "stdout" : "stderr"}.write(Buffer.alloc(${bytes}, 120))`,
  ];
  const limitError = async (d: Deferred<unknown>) =>
    (await failureOf(d)).value as OutputLimitExceeded;

  it("defaults to 1 MiB, like child_process.execFile", () => {
    expect(DEFAULT_MAX_BUFFER).toBe(1024 * 1024);
  });

  it("getProcessOutput fails with how much was read, and the child is killed", async () => {
    const script = "setInterval(() => process.stdout.write(Buffer.alloc(65536, 120)), 1)";
    const e = await limitError(
      getProcessOutput(process.execPath, ["-e", script], { maxBuffer: 200_000 }),
    );
    expect(e).toBeInstanceOf(OutputLimitExceeded);
    expect(e.stream).toBe("stdout");
    expect(e.maxBuffer).toBe(200_000);
    expect(e.bytesRead).toBeGreaterThan(200_000);
    expect(e.message).toMatch(/stdout of .* passed maxBuffer \(200000 bytes\): read \d+ bytes/);
    expect(e.code).toBe("ERR_CHILD_PROCESS_STDIO_MAXBUFFER");
  });

  it("output up to the limit is returned whole", async () => {
    const out = await getProcessOutput(process.execPath, flood(100_000), { maxBuffer: 100_000 });
    expect(out.length).toBe(100_000);
  });

  it("getProcessOutputAndValue limits each stream apart", async () => {
    const [out] = await getProcessOutputAndValue(process.execPath, flood(50_000), {
      maxBuffer: 60_000,
    });
    expect(out.length).toBe(50_000);
    const e = await limitError(
      getProcessOutputAndValue(process.execPath, flood(70_000, 2), { maxBuffer: 60_000 }),
    );
    expect(e.stream).toBe("stderr");
  });

  it("errortoo counts both streams together", async () => {
    const script =
      "process.stdout.write('x'.repeat(40000)); process.stderr.write('y'.repeat(40000))";
    const e = await limitError(
      getProcessOutput(process.execPath, ["-e", script], { errortoo: true, maxBuffer: 60_000 }),
    );
    expect(e.stream).toBe("output");
  });

  it("Infinity keeps everything; a negative limit is refused", async () => {
    const out = await getProcessOutput(process.execPath, flood(3 * 1024 * 1024), {
      maxBuffer: Infinity,
    });
    expect(out.length).toBe(3 * 1024 * 1024);
    const f = await failureOf(getProcessOutput("true", [], { maxBuffer: -1 }));
    expect(String(f.value)).toMatch(/maxBuffer must be >= 0/);
  });
});
