/**
 * Start and stop the scale-out set: a balancer (HAProxy or nginx `stream`) on loopback in front
 * of several `twist` instances of {@link ./echo-service.ts}, each listening on a `haproxy:`
 * endpoint and serving `--metrics`. Everything lives in a temporary directory; the balancer's
 * configuration is generated from the templates beside this file with free ports.
 *
 *     pnpm build
 *     node examples/dist/scale-out/scale-out.js haproxy     # or nginx; Ctrl-C stops the set
 *
 * @module
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Which balancer runs in front. */
export type Balancer = "haproxy" | "nginx";

/** Options of {@link ScaleOut.up}. */
export interface ScaleOutOptions {
  balancer: Balancer;
  /** How many instances; default 3. */
  instances?: number;
  /** `--shutdown-timeout` of each instance (seconds); default 5. */
  shutdownTimeout?: number;
  /** `--metrics-grace` of each instance (seconds); default 2 (twist's default). */
  grace?: number;
  /** Extra `twist` options for every instance. */
  twistArgs?: readonly string[];
}

const here = dirname(fileURLToPath(import.meta.url));
// The templates sit beside the source; the compiled script runs from examples/dist/scale-out.
const templateDir = existsSync(join(here, "haproxy.cfg.template"))
  ? here
  : join(here, "..", "..", "scale-out");
const echoModule = existsSync(join(here, "echo-service.js"))
  ? join(here, "echo-service.js")
  : join(here, "..", "dist", "scale-out", "echo-service.js");

/** The path of the `twist` CLI of `@torsion/application`. */
export function twistCLI(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("@torsion/application/package.json")), "dist", "cli.js");
}

/** `true` if `command` runs (`haproxy -v`, `nginx -v`). */
export function available(command: Balancer): boolean {
  try {
    execFileSync(command, ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A free TCP port on `host` (bind port 0, read it back, close). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Fill `{{NAME}}` fields of `template`. @throws Error naming a field without a value. */
export function renderTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`No value for {{${name}}}`);
    return String(v);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** GET `path` on 127.0.0.1:`port`; the status, or 0 if the connection failed. */
export async function httpStatus(port: number, path: string): Promise<number> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

/** The body of GET `/metrics` on 127.0.0.1:`port`. */
export async function scrape(port: number): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  return r.text();
}

/** The value of sample `name{…}` in a Prometheus text body, summed over its label sets. */
export function sample(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

/** Wait until `check()` is true, polling every `everyMs`, at most `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  everyMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** One `twist` instance. */
export class Instance {
  readonly index: number;
  readonly port: number;
  readonly metricsPort: number;
  readonly logFile: string;
  proc: ChildProcess | undefined;
  exited: Promise<number | null> = Promise.resolve(null);
  readonly #args: readonly string[];

  constructor(
    index: number,
    port: number,
    metricsPort: number,
    dir: string,
    args: readonly string[],
  ) {
    this.index = index;
    this.port = port;
    this.metricsPort = metricsPort;
    this.logFile = join(dir, `twist-${index}.log`);
    this.#args = args;
  }

  /** Start it and wait for `/readyz` 200. */
  async start(): Promise<void> {
    const proc = spawn(
      process.execPath,
      [
        twistCLI(),
        "--log-format",
        "json",
        "--log-file",
        this.logFile,
        "--metrics",
        `tcp:${this.metricsPort}:interface=127.0.0.1`,
        ...this.#args,
        "--app",
        echoModule,
      ],
      {
        env: { ...process.env, SCALE_OUT_LISTEN: `haproxy:tcp:${this.port}:interface=127.0.0.1` },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    this.proc = proc;
    let stderr = "";
    proc.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    this.exited = new Promise((resolve) => proc.on("exit", (code) => resolve(code)));
    let gone = false;
    void this.exited.then(() => {
      gone = true;
    });
    await waitFor(`instance ${this.index} to be ready`, async () => {
      if (gone) throw new Error(`instance ${this.index} exited: ${stderr}`);
      return (await httpStatus(this.metricsPort, "/readyz")) === 200;
    });
  }

  /** Send `signal` and wait for the exit; resolves with the exit code. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    const proc = this.proc;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null)
      return proc?.exitCode ?? null;
    proc.kill(signal);
    return this.exited;
  }

  /** The instance's JSON log records so far. */
  logRecords(): Array<Record<string, unknown>> {
    if (!existsSync(this.logFile)) return [];
    return readFileSync(this.logFile, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

/** The balancer and its instances. */
export class ScaleOut {
  readonly balancer: Balancer;
  readonly dir: string;
  readonly frontPort: number;
  readonly instances: readonly Instance[];
  #proc: ChildProcess | undefined;
  #exited: Promise<unknown> = Promise.resolve();

  private constructor(balancer: Balancer, dir: string, frontPort: number, instances: Instance[]) {
    this.balancer = balancer;
    this.dir = dir;
    this.frontPort = frontPort;
    this.instances = instances;
  }

  /** Start the instances, then the balancer; resolves once the balancer accepts connections (and HAProxy sees every instance UP). */
  static async up(options: ScaleOutOptions): Promise<ScaleOut> {
    const dir = mkdtempSync(join(tmpdir(), `torsion-scale-out-${options.balancer}-`));
    const count = options.instances ?? 3;
    const args = [
      "--shutdown-timeout",
      String(options.shutdownTimeout ?? 5),
      "--metrics-grace",
      String(options.grace ?? 2),
      ...(options.twistArgs ?? []),
    ];
    const instances: Instance[] = [];
    for (let i = 0; i < count; i++)
      instances.push(new Instance(i, await freePort(), await freePort(), dir, args));
    const set = new ScaleOut(options.balancer, dir, await freePort(), instances);
    try {
      await Promise.all(instances.map((i) => i.start()));
      await set.#startBalancer();
    } catch (error) {
      await set.down();
      throw error;
    }
    return set;
  }

  async #startBalancer(): Promise<void> {
    const servers = this.instances.map((i) =>
      this.balancer === "haproxy"
        ? `    server s${i.index} 127.0.0.1:${i.port} port ${i.metricsPort}`
        : `        server 127.0.0.1:${i.port} max_fails=1 fail_timeout=2s;`,
    );
    const module = "/usr/lib/nginx/modules/ngx_stream_module.so";
    const values = {
      DIR: this.dir,
      COUNT: this.instances.length,
      FRONT_PORT: this.frontPort,
      SERVERS: servers.join("\n"),
      LOAD_MODULE: existsSync(module) ? `load_module ${module};` : "",
    };
    const file = this.balancer === "haproxy" ? "haproxy.cfg" : "nginx.conf";
    const config = join(this.dir, file);
    writeFileSync(
      config,
      renderTemplate(readFileSync(join(templateDir, `${file}.template`), "utf8"), values),
    );
    const args =
      this.balancer === "haproxy"
        ? ["-f", config, "-db"]
        : ["-c", config, "-p", `${this.dir}/`, "-e", join(this.dir, "nginx-error.log")];
    const proc = spawn(this.balancer, args, { stdio: ["ignore", "ignore", "pipe"] });
    this.#proc = proc;
    let stderr = "";
    proc.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    this.#exited = new Promise((resolve) => proc.on("exit", resolve));
    let gone = false;
    void this.#exited.then(() => {
      gone = true;
    });
    await waitFor(`${this.balancer} to listen`, async () => {
      if (gone) throw new Error(`${this.balancer} exited: ${stderr}`);
      return canConnect(this.frontPort);
    });
    if (this.balancer === "haproxy")
      for (const i of this.instances) await this.waitForStatus(i.index, "UP");
  }

  /** HAProxy's view of instance `index` (`UP`, `DOWN`, `UP 1/2`…), from its stats socket. */
  async serverStatus(index: number): Promise<string> {
    let csv: string;
    try {
      csv = await statsCommand(join(this.dir, "haproxy.sock"), "show stat\n");
    } catch {
      return "?"; // The stats socket is not there yet (HAProxy binds it after the frontend).
    }
    const lines = csv.split("\n");
    const header = (lines[0] ?? "").replace(/^# /, "").split(",");
    const status = header.indexOf("status");
    const row = lines.find((l) => l.startsWith(`torsion_echo,s${index},`));
    return row?.split(",")[status] ?? "?";
  }

  /** Wait until HAProxy reports instance `index` with `status` (exactly). */
  async waitForStatus(index: number, status: string, timeoutMs = 15_000): Promise<void> {
    await waitFor(
      `s${index} ${status}`,
      async () => (await this.serverStatus(index)) === status,
      timeoutMs,
    );
  }

  /** Restart instance `index`: SIGTERM, wait for its exit, start it again (and wait until HAProxy has it UP). */
  async restart(index: number): Promise<number | null> {
    const instance = this.instances[index] as Instance;
    const code = await instance.stop("SIGTERM");
    await instance.start();
    if (this.balancer === "haproxy") await this.waitForStatus(index, "UP");
    return code;
  }

  /** Stop the balancer and every instance, and remove the directory unless `keep`. */
  async down(keep = false): Promise<void> {
    const proc = this.#proc;
    if (proc !== undefined && proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      await this.#exited;
    }
    await Promise.all(this.instances.map((i) => i.stop("SIGTERM")));
    if (!keep) rmSync(this.dir, { recursive: true, force: true });
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: "127.0.0.1" });
    s.on("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

function statsCommand(path: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const s = net.connect(path, () => s.write(command));
    s.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    s.on("end", () => resolve(out));
    s.on("error", reject);
  });
}

// Run as a script: start the set and keep it up until SIGINT/SIGTERM.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const balancer = (process.argv[2] ?? "haproxy") as Balancer;
  if (balancer !== "haproxy" && balancer !== "nginx") {
    console.error("usage: scale-out.js [haproxy|nginx]");
    process.exit(64);
  }
  const set = await ScaleOut.up({ balancer });
  console.log(`${balancer} on 127.0.0.1:${set.frontPort} in front of:`);
  for (const i of set.instances)
    console.log(
      `  twist ${i.index}: haproxy:tcp:${i.port}, metrics http://127.0.0.1:${i.metricsPort}/metrics, log ${i.logFile}`,
    );
  console.log(`files in ${set.dir}; Ctrl-C stops the set`);
  // The children's handles do not always keep the event loop alive; this does, until a signal.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const stop = () =>
    void set.down().then(() => {
      clearInterval(keepAlive);
      process.exit(0);
    });
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
