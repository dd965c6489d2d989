/**
 * `main(argv, io, reactor)` in this process, on a MemoryReactor with captured output: the
 * runner's paths from the command line to running services and back to an exit code.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConnectionLost, Failure } from "@torsion/core";
import { registerStandardIOEndpoint } from "@torsion/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applicationVersion, EXIT_USAGE } from "../src/index.ts";
import { InProcessTwist, installPlugin, MISBEHAVING_PLUGIN } from "./in-process.ts";
import { fixtureDir } from "./twist.ts";

let dir: string;
const LISTEN = ["--listen", "tcp:0:interface=127.0.0.1"];

beforeAll(() => {
  registerStandardIOEndpoint(); // as the twist command does
  dir = fixtureDir();
  installPlugin(dir, "misbehave", "misbehave", MISBEHAVING_PLUGIN);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function twist(...argv: string[]): InProcessTwist {
  return new InProcessTwist(argv, dir);
}

/** Run an echo server, make one connection, and return both. */
async function echoWithConnection(...options: string[]) {
  const t = twist(...options, "echo", ...LISTEN);
  await t.listening();
  return { t, ...t.connect() };
}

describe("main: help and version", () => {
  it("--version prints the version", async () => {
    const t = twist("--version");
    expect(await t.exited).toBe(0);
    expect(t.stdout).toBe(`twist (@torsion/application) ${applicationVersion}\n`);
  });

  it("--help lists the options with their defaults and the installed plugins", async () => {
    const t = twist("--help");
    expect(await t.exited).toBe(0);
    expect(t.stdout).toMatch(/--idle-timeout <secs>\s+.*\[default: 300\]/);
    expect(t.stdout).toMatch(/--max-connections <n>\s+.*\[default: 16384\]/);
    expect(t.stdout).toMatch(/--max-connections-per-peer <n>\s+.*\[default: 0\]/);
    expect(t.stdout).toMatch(/--shutdown-timeout <secs>\s+.*\[default: 10\]/);
    expect(t.stdout).toMatch(/--log-file <path\|-\|\+>/);
    expect(t.stdout).toMatch(/echo\s+A test echo server\.\s+\(@fixture\/echo\)/);
    expect(t.stdout).toMatch(/misbehave\s+The misbehave plugin\./);
  });

  it("<plugin> --help prints the plugin's options and runs nothing", async () => {
    const t = twist("echo", "--help");
    expect(await t.exited).toBe(0);
    expect(t.stdout).toContain("A test echo server. (from @fixture/echo 1.0.0)");
    expect(t.stdout).toMatch(/-l, --listen <value>\s+Endpoint to listen on \(repeatable\)/);
    expect(t.reactor.hasRun).toBe(false);
  });
});

describe("main: usage errors exit 64 with one twist: line", () => {
  const cases: [string[], RegExp][] = [
    [
      ["--frobnicate", "echo"],
      /^twist: unknown option --frobnicate; twist --help lists the options\n/,
    ],
    [
      ["echo", "--frobnicate"],
      /^twist: echo: unknown option --frobnicate; twist echo --help lists its options\n/,
    ],
    [["echo", "--listen"], /^twist: echo: option --listen needs a value/],
    [["--workers", "-1", "echo"], /^twist: --workers must be a whole number >= 1, not "-1"\n/],
    [["--workers", "0", "echo"], /^twist: --workers must be a whole number >= 1, not "0"\n/],
    [
      ["--shutdown-timeout", "-1", "echo"],
      /^twist: --shutdown-timeout must be a number of seconds >= 0, not "-1"\n/,
    ],
    [["--idle-timeout", "soon", "echo"], /^twist: --idle-timeout must be a number of seconds >= 0/],
    [["--max-connections", "1.5", "echo"], /^twist: --max-connections must be a whole number >= 0/],
    [["--log-format", "xml", "echo"], /^twist: --log-format must be text or json, not "xml"\n/],
    [
      ["--log-level", "loud", "echo"],
      /^twist: --log-level must be debug, info, warn, error or critical/,
    ],
    [
      ["--transport", "fast", "echo"],
      /^twist: --transport must be native, portable or auto, not "fast"\n/,
    ],
    [["--app", "x.mjs", "echo"], /^twist: Give only one of a plugin, --app and --config\n/],
    [
      ["nosuchplugin"],
      /^twist: No plugin named "nosuchplugin" is installed \(installed: echo, misbehave\)/,
    ],
    [["echo", "--listen", "bogus:1"], /^twist: .*Unknown endpoint type/],
    [["echo", "stray"], /^twist: echo: unexpected argument "stray"/],
    [["misbehave", "--do", "usage"], /^twist: --do usage is not allowed here\n/],
    [["--app", "no-such-module.mjs"], /^twist: Cannot load --app no-such-module\.mjs/],
    [[], /^twist: name a plugin, --app or --config/],
    [
      ["--workers", "2", "echo", "--listen", "stdio:"],
      /^twist: --workers cannot serve stdio:, which is one connection on standard input\/output; drop --workers\n/,
    ],
  ];
  for (const [argv, expected] of cases) {
    it(`twist ${argv.join(" ")}`, async () => {
      const t = twist(...argv);
      expect(await t.exited).toBe(EXIT_USAGE);
      expect(t.stderr).toMatch(expected);
      expect(t.stderr).toContain("Usage: twist [options] <plugin>");
      expect(t.stderr).not.toMatch(/\n\s+at /);
      expect(t.reactor.hasRun).toBe(false);
    });
  }
});

describe("main: failures while starting exit 1 with one twist: line", () => {
  it("an exception inside makeService, without a stack unless --log-level debug", async () => {
    const t = twist("misbehave", "--do", "throw");
    expect(await t.exited).toBe(1);
    expect(t.stderr).toMatch(
      /^twist: plugin misbehave could not make its service: Cannot read properties of null .*report it to the plugin's authors\)\n$/,
    );
    const debug = twist("--log-level", "debug", "misbehave", "--do", "throw");
    expect(await debug.exited).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it("makeService returning something that is not a service", async () => {
    const t = twist("misbehave", "--do", "null");
    expect(await t.exited).toBe(1);
    expect(t.stderr).toBe(
      "twist: plugin misbehave: makeService returned null, not a service (an object with startService); report it to the plugin's authors\n",
    );
  });

  it("a service whose start fails: the reason, and the services stopped", async () => {
    const t = twist("misbehave", "--do", "fail-start");
    expect(await t.exited).toBe(1);
    expect(t.stderr).toBe(
      "twist: Service misbehave failed to start: cannot start: the frobnicator is missing\n",
    );
    expect(t.records.some((r) => r.level === 60 && /frobnicator/.test(r.msg))).toBe(true);
  });

  it("--log-file naming a directory", async () => {
    const t = twist("--log-file", dir, "echo");
    expect(await t.exited).toBe(1);
    expect(t.stderr).toBe(
      `twist: cannot open --log-file ${dir}: it is a directory; name a file in it\n`,
    );
  });

  it("--pidfile in a missing directory", async () => {
    const path = join(dir, "no", "such", "dir", "twist.pid");
    const t = twist("--pidfile", path, "echo", ...LISTEN);
    expect(await t.exited).toBe(1);
    expect(t.stderr).toBe(
      `twist: cannot write --pidfile ${path}: its directory does not exist; create it or choose another path\n`,
    );
    expect(t.reactor.hasRun).toBe(false);
  });

  it("--pidfile naming a live process", async () => {
    const path = join(dir, "live.pid");
    writeFileSync(path, `${process.ppid}\n`);
    const t = twist("--pidfile", path, "echo", ...LISTEN);
    expect(await t.exited).toBe(1);
    expect(t.stderr).toMatch(/^twist: Another twist is already running with pid \d+/);
    expect(readFileSync(path, "utf8")).toBe(`${process.ppid}\n`);
  });

  it("an --app module that throws while loading", async () => {
    const app = join(dir, "throws.mjs");
    writeFileSync(app, `throw new RangeError("bad app");\n`);
    const t = twist("--app", app);
    expect(await t.exited).toBe(1);
    expect(t.stderr).toMatch(
      /^twist: --app .*throws\.mjs failed while loading: bad app \(fix the module\)\n$/,
    );
  });
});

describe("main: running", () => {
  it("serves, says which service listens on which address, and exits 0 on stop", async () => {
    const pidfile = join(dir, "run.pid");
    const t = twist("--pidfile", pidfile, "echo", ...LISTEN);
    await t.listening();
    expect(readFileSync(pidfile, "utf8")).toBe(`${process.pid}\n`);
    expect(t.reactor.tcpServers[0]!.interface).toBe("127.0.0.1");
    await t.until(() => t.records.some((r) => r.msg.startsWith("Started")), "Started");
    expect(t.records.map((r) => r.msg)).toContain("Service echo listening on tcp:0.0.0.0:0");
    const { transport } = t.connect();
    transport.protocol!.dataReceived(Buffer.from("hello"));
    expect(transport.value().toString()).toBe("hello");
    transport.loseConnection();
    expect(t.records.map((r) => r.msg)).toEqual(
      expect.arrayContaining(["Connection made", "Connection lost: closed cleanly"]),
    );
    t.reactor.stop();
    expect(await t.exited).toBe(0);
    expect(t.records.at(-1)!.msg).toBe("Stopped.");
    expect(() => readFileSync(pidfile)).toThrow(/ENOENT/);
  });

  it("says which transport its listening ports use; --transport portable chooses node:net", async () => {
    const t = twist("--transport", "portable", "echo", ...LISTEN);
    await t.listening();
    const start = t.records.find((r) => r.msg.startsWith("twist "));
    expect(start?.msg).toMatch(/ starting echo with pid \d+, portable transport$/);
    t.reactor.stop();
    expect(await t.exited).toBe(0);
  });

  it("names a UDP service and its address too (as the reactor reports it)", async () => {
    const t = twist("misbehave", "--do", "udp");
    await t.until(() => t.reactor.udpServers.length === 1, "the UDP port");
    await t.until(() => t.records.some((r) => r.msg.startsWith("Started")), "Started");
    expect(t.records.map((r) => r.msg)).toContain("Service misbehave listening on udp:0.0.0.0:9");
    t.reactor.stop();
    expect(await t.exited).toBe(0);
  });

  it("logs text on a terminal, and to stderr with --log-file +", async () => {
    const text = new InProcessTwist(["echo", ...LISTEN], dir, { tty: true });
    await text.listening();
    text.reactor.stop();
    expect(await text.exited).toBe(0);
    expect(text.stdout).toMatch(/\[torsion\.application#info\] Service echo listening on tcp:/);
    const err = twist("--log-file", "+", "echo", ...LISTEN);
    await err.listening();
    err.reactor.stop();
    expect(await err.exited).toBe(0);
    expect(err.stdout).toBe("");
    expect(err.stderr).toContain('"msg":"Stopped."');
  });

  it("logs how each connection ended: lost with the system error, aborted", async () => {
    const t = twist("echo", ...LISTEN);
    await t.listening();
    const reset = t.connect();
    const cause = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    reset.protocol!.connectionLost(new Failure(new ConnectionLost(undefined, { cause })));
    const aborted = t.connect();
    aborted.transport.abortConnection();
    const lost = t.records.filter((r) => r.msg.startsWith("Connection lost")).map((r) => r.msg);
    expect(lost).toEqual(["Connection lost: lost (ECONNRESET)", "Connection lost: aborted"]);
    t.reactor.stop();
    expect(await t.exited).toBe(0);
  });

  it("--idle-timeout closes an idle connection and logs it as timed out", async () => {
    const { t, transport } = await echoWithConnection("--idle-timeout", "5");
    t.reactor.advance(4);
    const timers = () => t.reactor.getDelayedCalls().map((c) => c.getTime());
    const before = timers();
    transport.protocol!.dataReceived(Buffer.from("still here"));
    // Activity is only noted: no timer is moved per chunk (that would cost more than the echo).
    expect(timers()).toEqual(before);
    t.reactor.advance(4);
    expect(transport.disconnecting).toBe(false);
    t.reactor.advance(1);
    expect(transport.disconnecting).toBe(true);
    expect(t.records.map((r) => r.msg)).toContain("Connection lost: timed out (idle for 5 s)");
    t.reactor.stop();
    expect(await t.exited).toBe(0);
  });

  it("the default idle timeout is 300 s, and --idle-timeout 0 turns it off", async () => {
    const { t, transport } = await echoWithConnection();
    t.reactor.advance(299);
    expect(transport.disconnecting).toBe(false);
    t.reactor.advance(1);
    expect(transport.disconnecting).toBe(true);
    t.reactor.stop();
    await t.exited;
    const off = await echoWithConnection("--idle-timeout", "0");
    off.t.reactor.advance(100_000);
    expect(off.transport.disconnecting).toBe(false);
    off.transport.loseConnection();
    off.t.reactor.stop();
    expect(await off.t.exited).toBe(0);
  });

  it("--max-connections refuses past the cap, counts and logs it (rate-limited)", async () => {
    const t = twist("--max-connections", "2", "echo", ...LISTEN);
    await t.listening();
    const open = [t.connect(), t.connect()];
    expect(open.every((c) => c.protocol !== null)).toBe(true);
    expect(t.connect().protocol).toBe(null);
    expect(t.connect().protocol).toBe(null);
    const refusedLines = () => t.records.filter((r) => r.msg.startsWith("Refused"));
    expect(refusedLines().map((r) => r.msg)).toEqual([
      "Refused 1 connection(s) (latest from 127.0.0.1: 2 connections are open (--max-connections)); 1 refused so far",
    ]);
    t.reactor.advance(10);
    expect(t.connect().protocol).toBe(null);
    expect(refusedLines().at(-1)!.msg).toMatch(/^Refused 2 connection\(s\).*; 3 refused so far$/);
    open[0]!.transport.loseConnection();
    expect(t.connect().protocol).not.toBe(null);
    t.reactor.stop();
    t.reactor.advance(10);
    expect(await t.exited).toBe(0);
  });

  it("--max-connections-per-peer refuses a host past its cap, not the others", async () => {
    const t = twist("--max-connections-per-peer", "1", "echo", ...LISTEN);
    await t.listening();
    expect(t.connect(0, "10.0.0.1").protocol).not.toBe(null);
    expect(t.connect(0, "10.0.0.1").protocol).toBe(null);
    expect(t.connect(0, "10.0.0.2").protocol).not.toBe(null);
    expect(t.records.some((r) => /--max-connections-per-peer/.test(r.msg))).toBe(true);
    t.reactor.stop();
    t.reactor.advance(10);
    expect(await t.exited).toBe(0);
  });

  it("on stop, lets open connections finish for --shutdown-timeout, then closes them", async () => {
    const { t, transport } = await echoWithConnection("--shutdown-timeout", "3");
    t.reactor.stop();
    t.reactor.advance(2.9);
    expect(transport.disconnecting).toBe(false);
    expect(t.exitCode).toBe(undefined);
    t.reactor.advance(0.1);
    expect(transport.disconnecting).toBe(true);
    expect(await t.exited).toBe(0);
  });

  it("at the shutdown deadline, a connection with unsent data is aborted and logged as such", async () => {
    const t = twist("--shutdown-timeout", "1", "echo", ...LISTEN);
    await t.listening();
    const idle = t.connect();
    const stuck = t.connect();
    // A peer that stopped reading: the kernel took nothing of the last 4096 bytes.
    Object.defineProperty(stuck.transport, "writeBufferSize", { value: 4096 });
    t.reactor.stop();
    t.reactor.advance(1);
    expect(await t.exited).toBe(0);
    expect(stuck.transport.aborted).toBe(true);
    expect(idle.transport.aborted).toBe(false);
    const lost = t.records.filter((r) => r.msg.startsWith("Connection lost")).map((r) => r.msg);
    expect(lost.sort()).toEqual([
      "Connection lost: closed cleanly",
      "Connection lost: unsent data dropped at shutdown (4096 bytes)",
    ]);
  });

  it("an unhandled rejection is logged with its stack and the server keeps running", async () => {
    const { t } = await echoWithConnection();
    t.events.emit("unhandledRejection", new Error("nobody handled me"));
    const record = t.records.find((r) => r.msg.startsWith("Unhandled error"));
    expect(record).toBeDefined();
    expect(JSON.stringify(record)).toContain("nobody handled me");
    expect(JSON.stringify(record)).toMatch(/at .*main\.test\.ts/);
    expect(t.reactor.running).toBe(true);
    t.reactor.stop();
    t.reactor.advance(10);
    expect(await t.exited).toBe(0);
    expect(t.events.listenerCount("unhandledRejection")).toBe(0);
  });

  it("an uncaught exception is logged as critical, the services drain, and it exits 1", async () => {
    const { t, transport } = await echoWithConnection("--shutdown-timeout", "2");
    t.events.emit("uncaughtException", new TypeError("thrown somewhere"));
    expect(t.reactor.hasStopped).toBe(true);
    const critical = t.records.find((r) => r.level === 60);
    expect(critical?.msg).toMatch(/^Uncaught exception: stopping the services/);
    // Draining as on SIGTERM: the open connection gets the shutdown timeout.
    t.reactor.advance(1);
    expect(transport.disconnecting).toBe(false);
    t.reactor.advance(1);
    expect(await t.exited).toBe(1);
    expect(t.stderr).toBe(
      "twist: stopped after an uncaught exception (see the log); fix the code that threw it\n",
    );
  });

  it("--config composes several plugins, names them, and parses each entry's options", async () => {
    const config = join(dir, "two.json");
    writeFileSync(
      config,
      JSON.stringify({
        services: [
          { plugin: "echo", options: { listen: "tcp:0:interface=127.0.0.1" } },
          { plugin: "echo", args: ["--listen", "tcp:0:interface=127.0.0.2"] },
          { plugin: "echo", name: "third", options: { listen: ["tcp:0:interface=127.0.0.3"] } },
        ],
      }),
    );
    const t = twist("--config", config, "--idle-timeout", "7");
    await t.listening(3);
    expect(t.reactor.tcpServers.map((s) => s.interface)).toEqual([
      "127.0.0.1",
      "127.0.0.2",
      "127.0.0.3",
    ]);
    await t.until(() => t.records.some((r) => r.msg.startsWith("Started")), "Started");
    const listening = t.records.filter((r) => r.msg.startsWith("Service")).map((r) => r.msg);
    expect(listening.map((m) => m.split(" ")[1])).toEqual(["echo", "echo-2", "third"]);
    const { transport } = t.connect(2);
    t.reactor.advance(7);
    expect(transport.disconnecting).toBe(true);
    t.reactor.stop();
    expect(await t.exited).toBe(0);
  });

  it("finds the default config in the current directory: a .mjs default export", async () => {
    const project = mkdtempSync(join(dir, "project-"));
    writeFileSync(join(project, "package.json"), "{}");
    writeFileSync(
      join(project, "torsion.config.mjs"),
      `export default { services: [{ plugin: "echo", options: { listen: "tcp:0:interface=127.0.0.9" } }] };\n`,
    );
    // Plugins come from this project's node_modules only: none yet, and the parent's do not count.
    const none = new InProcessTwist([], project);
    expect(await none.exited).toBe(EXIT_USAGE);
    expect(none.stderr).toMatch(/^twist: No plugin named "echo" is installed \(installed: none\)/);
    const plugin = readFileSync(join(dir, "node_modules", "@fixture", "echo", "plugin.js"), "utf8");
    installPlugin(project, "@mine/echo", "echo", plugin);
    const t = new InProcessTwist([], project);
    await t.listening();
    expect(t.reactor.tcpServers[0]!.interface).toBe("127.0.0.9");
    t.reactor.stop();
    expect(await t.exited).toBe(0);
  });

  it("config file errors are usage errors naming the file and entry", async () => {
    const bad = join(dir, "bad.json");
    for (const [content, expected] of [
      ["{", /^twist: Cannot read config .*bad\.json/],
      [`{"services": []}`, /must hold \{ "services"/],
      [`{"services": [{"name": "x"}]}`, /services\[0\] must name a "plugin"/],
      [`{"services": [{"plugin": "echo", "args": [1]}]}`, /"args" must be a list of strings/],
      [
        `{"services": [{"plugin": "echo", "options": [], "args": []}]}`,
        /"options" must be an object/,
      ],
      [`{"services": [{"plugin": "echo", "options": {}, "args": []}]}`, /give "options" or "args"/],
      [`{"services": [{"plugin": "echo", "name": 3}]}`, /"name" must be a string/],
      [`{"services": [{"plugin": "echo", "options": {"nope": 1}}]}`, /echo: unknown option "nope"/],
      [
        `{"services": [{"plugin": "echo", "name": "a"}, {"plugin": "echo", "name": "a"}]}`,
        /the name "a" is used twice/,
      ],
    ] as const) {
      writeFileSync(bad, content);
      const t = twist("--config", bad);
      expect(await t.exited, content).toBe(EXIT_USAGE);
      expect(t.stderr, content).toMatch(expected);
    }
  });

  it("--app runs a module's exported application", async () => {
    const app = join(dir, "app.mjs");
    writeFileSync(
      app,
      `export const application = {
        name: "duck", parent: null, running: false,
        privilegedStartService() {}, startService() { this.running = true; globalThis.__duckStarted = true; },
        stopService() { this.running = false; },
      };\n`,
    );
    const t = twist("--app", app);
    await t.until(
      () => (globalThis as { __duckStarted?: boolean }).__duckStarted === true,
      "the app",
    );
    t.reactor.stop();
    expect(await t.exited).toBe(0);
    expect(t.records.map((r) => r.msg)).toContain("Started duck");
  });

  it("says which package wins when two offer one plugin name", async () => {
    const project = mkdtempSync(join(dir, "dupes-"));
    writeFileSync(join(project, "package.json"), "{}");
    const plugin = readFileSync(join(dir, "node_modules", "@fixture", "echo", "plugin.js"), "utf8");
    installPlugin(project, "@a/echo", "echo", plugin);
    installPlugin(project, "@b/echo", "echo", plugin, "2.0.0");
    const help = new InProcessTwist(["--help"], project);
    expect(await help.exited).toBe(0);
    expect(help.stdout).toMatch(
      /echo\s+The echo plugin\.\s+\(@a\/echo; also in @b\/echo, not used\)/,
    );
    const pluginHelp = new InProcessTwist(["echo", "--help"], project);
    expect(await pluginHelp.exited).toBe(0);
    expect(pluginHelp.stdout).toContain("Also offered by @b/echo 2.0.0: not used");
    const run = new InProcessTwist(["echo", ...LISTEN], project);
    await run.listening();
    expect(run.records.map((r) => r.msg)).toContain(
      "Plugin echo is offered by @a/echo and by @b/echo; using @a/echo (the nearest)",
    );
    run.reactor.stop();
    expect(await run.exited).toBe(0);
  });
});
