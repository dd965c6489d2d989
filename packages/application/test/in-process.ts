/**
 * Running `main` inside the test process: a MemoryReactor whose `run()` lasts until `stop()`
 * (firing the "before shutdown" triggers as the real reactor does), captured output, and a
 * fake `process` for the error handlers.
 */
import { EventEmitter } from "node:events";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Deferred, DeferredList, type IProtocol, IPv4Address, maybeDeferred } from "@torsion/core";
import { globalLogPublisher } from "@torsion/core/logger";
import { MemoryReactorClock, StringTransportWithDisconnection } from "@torsion/core/testing";
import { main, type RunnerIO } from "../src/index.ts";

/** A MemoryReactorClock that runs until stopped, as a real reactor does. */
export class RunnerTestReactor extends MemoryReactorClock {
  #finished: Deferred<void> | undefined;

  override run(): Promise<void> {
    this.running = true;
    this.hasRun = true;
    for (const { fn, args } of this.whenRunningHooks.splice(0)) fn(...args);
    this.#finished = new Deferred<void>();
    const finished = this.#finished;
    return new Promise((resolve) => finished.addCallback(() => resolve()));
  }

  /** Fire the "before shutdown" triggers; `run()` resolves once their Deferreds fired. */
  override stop(): void {
    if (!this.running) throw new Error("The reactor is not running");
    this.running = false;
    this.hasStopped = true;
    const before = this.triggers.filter((t) => t.phase === "before" && t.event === "shutdown");
    const ds = before.map((t) => maybeDeferred(() => t.fn(...t.args)));
    const finished = this.#finished!;
    if (ds.length === 0) finished.callback(undefined);
    else
      new DeferredList(ds, { consumeErrors: true }).addCallback(() => finished.callback(undefined));
  }
}

/** A JSON log line (pino's numbers: 30 info, 40 warn, 50 error, 60 critical). */
export type Record = { [key: string]: unknown; msg: string; level: number };

/** A run of `main` in this process. */
export class InProcessTwist {
  readonly reactor: RunnerTestReactor = new RunnerTestReactor();
  readonly events: EventEmitter = new EventEmitter();
  stdout = "";
  stderr = "";
  readonly io: RunnerIO;
  exitCode: number | undefined;
  readonly exited: Promise<number>;

  constructor(argv: string[], cwd: string, options: { tty?: boolean } = {}) {
    const tty = options.tty === true;
    this.io = {
      stdout: { isTTY: tty, write: (t: string) => (this.stdout += t) },
      stderr: { isTTY: false, write: (t: string) => (this.stderr += t) },
      cwd,
      beginLogging: (observer) => {
        globalLogPublisher.addObserver(observer);
        return () => globalLogPublisher.removeObserver(observer);
      },
      processEvents: this.events,
    };
    this.exited = main(argv, this.io, this.reactor).then((code) => {
      this.exitCode = code;
      return code;
    });
  }

  /** The JSON log lines written to stdout so far. */
  get records(): Record[] {
    return this.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record);
  }

  /** Wait (at most about 10 s: importing a module may take a while under load) until `check` holds. */
  async until(check: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      if (check()) return;
      if (this.exitCode !== undefined) break;
      await new Promise((r) => (i < 50 ? setImmediate(r) : setTimeout(r, 10)));
    }
    if (check()) return;
    throw new Error(
      `Never saw ${what} (exit ${this.exitCode})\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
    );
  }

  /** Wait until `n` TCP ports are listening. */
  listening(n = 1): Promise<void> {
    return this.until(() => this.reactor.tcpServers.length >= n, `${n} listening port(s)`);
  }

  /** Connect a client to listening port `index` from `host`; returns the server's protocol and transport. */
  connect(
    index = 0,
    host = "127.0.0.1",
  ): { protocol: IProtocol | null; transport: StringTransportWithDisconnection } {
    const factory = this.reactor.tcpServers[index]!.factory;
    const peer = new IPv4Address("TCP", host, 40000 + Math.floor(Math.random() * 10000));
    const protocol = factory.buildProtocol(peer);
    const transport = new StringTransportWithDisconnection({ peerAddress: peer });
    if (protocol !== null) {
      transport.protocol = protocol;
      protocol.makeConnection(transport);
    }
    return { protocol, transport };
  }
}

/** Write a plugin package into `dir`/node_modules/`name`, declaring plugin `plugin`. */
export function installPlugin(
  dir: string,
  name: string,
  plugin: string,
  source: string,
  version = "1.0.0",
): void {
  const pkg = join(dir, "node_modules", ...name.split("/"));
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    join(pkg, "package.json"),
    JSON.stringify({
      name,
      version,
      type: "module",
      exports: { "./plugin": "./plugin.js" },
      torsion: {
        plugins: [{ name: plugin, description: `The ${plugin} plugin.`, module: "./plugin" }],
      },
      peerDependencies: { "@torsion/application": "*" },
    }),
  );
  writeFileSync(join(pkg, "plugin.js"), source);
}

/**
 * A plugin whose `--do` option picks how it misbehaves (or `udp`: behaves, on UDP): `throw` (a TypeError in makeService),
 * `null` (returns no service), `usage` (throws an error coded ERR_TORSION_USAGE), `fail-start`
 * (a service whose start fails), `reject` / `uncaught` (a service that, once started, leaves
 * a promise rejected unhandled / throws from a timer: for the child-process tests),
 * `async-reject` (a TCP server on 127.0.0.1 whose `async connectionMade` rejects on its first
 * connection and whose `async dataReceived` rejects on "BOOM", and echoes otherwise).
 */
export const MISBEHAVING_PLUGIN = `
export default {
  name: "misbehave",
  description: "Misbehaves on purpose.",
  options: { do: { type: "string", default: "nothing", description: "How to misbehave" } },
  makeService(options, helpers) {
    const what = options.do;
    if (what === "udp") return helpers.listenUDP("127.0.0.1:9", { makeConnection() {}, datagramReceived() {}, doStart() {}, doStop() {} });
    if (what === "throw") return null.notAService;
    if (what === "null") return null;
    if (what === "async-reject") {
      let connections = 0;
      class Flaky {
        makeConnection(transport) { this.transport = transport; this.n = ++connections; return this.connectionMade(); }
        async connectionMade() { await null; if (this.n === 1) throw new Error("connectionMade gave up on connection 1"); }
        async dataReceived(data) {
          await null;
          if (data.toString().startsWith("BOOM")) throw new Error("dataReceived blew up");
          this.transport.write(data);
        }
        connectionLost() {}
        logPrefix() { return "Flaky"; }
      }
      return helpers.listen("tcp:0:interface=127.0.0.1", { buildProtocol: () => new Flaky(), doStart() {}, doStop() {}, logPrefix: () => "Flaky" });
    }
    if (what === "usage") throw Object.assign(new Error("--do usage is not allowed here"), { code: "ERR_TORSION_USAGE" });
    return {
      name: null, parent: null, running: false,
      setName(n) { this.name = n; }, setServiceParent(p) { this.parent = p; p.addService(this); },
      disownServiceParent() {},
      privilegedStartService() {},
      startService() {
        this.running = true;
        if (what === "fail-start") throw new Error("cannot start: the frobnicator is missing");
        if (what === "reject") setTimeout(() => { Promise.reject(new Error("nobody handled me")); }, 10);
        if (what === "uncaught") setTimeout(() => { throw new Error("thrown from a timer"); }, 10);
      },
      stopService() { this.running = false; globalThis.__misbehaveStopped = true; },
    };
  },
};
`;
