import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { PYTHON } from "@torsion/test-utils";
import { afterEach, describe, expect, it } from "vitest";

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const repo = fileURLToPath(new URL("../..", import.meta.url));
const twist = `${repo}packages/application/bin/twist.js`;
const built = existsSync(`${repo}packages/application/dist/cli.js`);
const INSTALLED_TWIST = "/srv/torsion/node_modules/.bin/twist";

/** A unit file's sections → key → values (a key may repeat); comments and blanks skipped. */
function parseUnit(file: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of readFileSync(here(file), "utf8").split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const eq = line.indexOf("=");
    if (current === undefined || eq < 0) throw new Error(`${file}: not a unit line: ${line}`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

const value = (unit: Map<string, Map<string, string[]>>, section: string, key: string) =>
  unit.get(section)?.get(key);

describe("examples/systemd", () => {
  it("twist-echo.service runs twist echo directly on tcp:8007, text logs, stopped by SIGTERM", () => {
    const unit = parseUnit("twist-echo.service");
    expect(value(unit, "Service", "ExecStart")).toEqual([
      `${INSTALLED_TWIST} --log-format text echo --listen tcp:8007`,
    ]);
    expect(value(unit, "Service", "KillSignal")).toEqual(["SIGTERM"]);
    expect(value(unit, "Install", "WantedBy")).toEqual(["multi-user.target"]);
  });

  it("the socket unit listens on port 7 and its service adopts descriptor 0 with systemd:", () => {
    const socket = parseUnit("twist-echo-activated.socket");
    expect(value(socket, "Socket", "ListenStream")).toEqual(["0.0.0.0:7"]);
    expect(value(socket, "Socket", "Accept") ?? ["no"]).toEqual(["no"]);
    const service = parseUnit("twist-echo-activated.service");
    expect(value(service, "Unit", "Requires")).toEqual(["twist-echo-activated.socket"]);
    expect(value(service, "Service", "ExecStart")).toEqual([
      `${INSTALLED_TWIST} --log-format text echo --listen systemd:domain=INET:index=0`,
    ]);
  });

  describe.skipIf(!existsSync(PYTHON) || !built)(
    `the socket-activated command with an inherited descriptor (needs ${PYTHON} and a built twist)`,
    () => {
      let child: ChildProcess | undefined;
      afterEach(() => {
        if (child?.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      });

      it("serves on the socket it inherits as fd 3 (LISTEN_FDS=1), and exits 0 on SIGTERM", async () => {
        const [exec, ...args] = value(
          parseUnit("twist-echo-activated.service"),
          "Service",
          "ExecStart",
        )![0]!.split(" ");
        expect(exec).toBe(INSTALLED_TWIST);
        // What systemd does, in Python: bind and listen (loopback, any port), put the socket
        // at fd 3, set LISTEN_FDS and LISTEN_PID, and exec the command (same pid).
        const activate = [
          "import os, socket, sys",
          "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
          "s.bind(('127.0.0.1', 0)); s.listen(16)",
          "print(s.getsockname()[1], flush=True)",
          "os.dup2(s.fileno(), 3) if s.fileno() != 3 else None",
          "os.set_inheritable(3, True)",
          "os.environ.update(LISTEN_FDS='1', LISTEN_PID=str(os.getpid()))",
          "os.execv(sys.argv[1], sys.argv[1:])",
        ].join("\n");
        const proc = spawn(PYTHON, ["-c", activate, process.execPath, twist, ...args], {
          cwd: repo,
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...process.env, LISTEN_FDS: undefined, LISTEN_PID: undefined },
        });
        child = proc;
        let stdout = "";
        let stderr = "";
        proc.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
        proc.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        const exited = new Promise<number | string | null>((resolve) =>
          proc.on("exit", (code, signal) => resolve(code ?? signal)),
        );
        await expect.poll(() => stdout.includes("\n"), { timeout: 15_000 }).toBe(true);
        const port = Number(stdout.split("\n")[0]);

        // The port exists before twist starts (systemd's point): this connection waits in the
        // backlog until twist adopts the socket, then is echoed.
        const echoed = await new Promise<string>((resolve, reject) => {
          const s = connect(port, "127.0.0.1", () => s.write("hello, systemd\r\n"));
          let got = "";
          s.setEncoding("utf8");
          s.setTimeout(15_000, () =>
            s.destroy(new Error(`no echo; twist said: ${stderr}${stdout}`)),
          );
          s.on("data", (d: string) => {
            got += d;
            if (got.length >= "hello, systemd\r\n".length) {
              s.end();
              resolve(got);
            }
          });
          s.on("error", reject);
        });
        expect(echoed).toBe("hello, systemd\r\n");
        expect(stdout).toMatch(/echo/);

        proc.kill("SIGTERM");
        expect(await exited).toBe(0);
      });
    },
  );
});
