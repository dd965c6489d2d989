/**
 * Runs the built `twist` as a child process and reads its JSON log lines (stdout is a pipe, so
 * the log format is JSON).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI: string = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));

/**
 * A temporary project (a package.json, so plugin discovery stops there) with the fixture echo
 * plugin installed in its node_modules.
 */
export function fixtureDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "torsion-twist-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "project", private: true }));
  const pkg = join(dir, "node_modules", "@fixture", "echo");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    join(pkg, "package.json"),
    JSON.stringify({
      name: "@fixture/echo",
      version: "1.0.0",
      type: "module",
      exports: { "./plugin": "./plugin.js" },
      torsion: {
        plugins: [{ name: "echo", description: "A test echo server.", module: "./plugin" }],
      },
      peerDependencies: { "@torsion/application": "*" },
    }),
  );
  cpSync(join(fixtures, "echo-plugin.js"), join(pkg, "plugin.js"));
  return dir;
}

export const APP_FIXTURE: string = join(fixtures, "echo-app.mjs");

export type LogRecord = Record<string, unknown> & { msg: string; pid: number };

export class Twist {
  readonly proc: ChildProcess;
  readonly records: LogRecord[] = [];
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | null>;
  #waiters: (() => void)[] = [];

  constructor(args: string[], cwd: string) {
    this.proc = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let partial = "";
    this.proc.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
      partial += chunk;
      const lines = partial.split("\n");
      partial = lines.pop()!;
      for (const line of lines) {
        try {
          this.records.push(JSON.parse(line) as LogRecord);
        } catch {
          // help text, not a log line
        }
      }
      this.#wake();
    });
    this.proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
      this.#wake();
    });
    this.exited = new Promise((resolve) =>
      this.proc.on("exit", (code) => {
        this.#wake();
        resolve(code);
      }),
    );
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Wait (at most `ms`) until `check` returns something other than undefined. */
  async waitFor<T>(check: () => T | undefined, what: string, ms = 15_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = check();
      if (v !== undefined) return v;
      if (Date.now() > deadline || this.proc.exitCode !== null) {
        throw new Error(
          `Timed out waiting for ${what}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
        );
      }
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  /** The ports it listens on, once `count` of them are listening (waiting at most `ms`). */
  ports(count = 1, ms?: number): Promise<number[]> {
    return this.waitFor(
      () => {
        const ports = [
          ...new Set(
            this.records
              .filter((r) => /^Service \S+ listening on /.test(r.msg))
              .map((r) => Number(r.port)),
          ),
        ];
        return ports.length >= count ? ports : undefined;
      },
      `${count} listening port(s)`,
      ms,
    );
  }
}

export function client(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => resolve(s));
    s.on("error", reject);
  });
}

export function roundTrip(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    let got = "";
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.length >= text.length) {
        socket.removeListener("data", onData);
        resolve(got);
      }
    };
    socket.on("data", onData);
    socket.write(text);
  });
}
