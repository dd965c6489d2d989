/**
 * The seed's command server: a line-based TCP server (delimiter `\n`) for at most N clients
 * (2 by default; the next one is dropped with "Too many connections. bye !"), which logs every
 * connection, command and loss with Twisted's per-connection prefix
 * (`[CmdProtocol,0,127.0.0.1] Cmd received from 127.0.0.1 : test`) and answers:
 *
 * - `lastlog`: the last 10 lines of the log file, streamed from a spawned `tail`, framed by
 *   `Begin lastlog` / `End lastlog` (@torsion/process);
 * - `comphash <path>`: the SHA-1 of a file under the allowed directory, computed in a worker
 *   thread: `File hash is : <hex>` or `An error occured : <message>` (@torsion/threads);
 * - `exit`: closes the connection; anything else: `Command not found.`
 *
 *     node examples/dist/cmd-server/cmd-server.js [--port tcp:9999:interface=127.0.0.1]
 *         [--log-file FILE] [--dir DIR] [--max-clients 2]
 *
 * The thread task is plain JavaScript (hash-task.mjs): a worker thread loads it with Node's own
 * `import()`, which cannot load TypeScript on Node 20.
 *
 * @module
 */
import { existsSync, realpathSync, writeFileSync } from "node:fs";
import { realpath } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { LineReceiver } from "@torsion/basic";
import {
  Deferred,
  type Failure,
  globalLogBeginner,
  type IConsumer,
  Logger,
  logPrefixOf,
  reactor,
  ServerFactory,
  serverFromString,
  textFileLogObserver,
} from "@torsion/core";
import {
  ProcessDone,
  ProcessProtocol,
  type ProcessTransport,
  spawnProcess,
} from "@torsion/process";
import { deferToThreadPool, defineTask, getThreadPool, type ThreadPool } from "@torsion/threads";

const log = new Logger("cmd-server");

/**
 * The task module sits beside this file; `tsc` does not copy `.mjs` files, so the compiled
 * example (examples/dist/cmd-server/) uses the one in the source directory.
 */
const hashTaskUrl = ((): URL => {
  const beside = new URL("./hash-task.mjs", import.meta.url);
  return existsSync(beside) ? beside : new URL("../../cmd-server/hash-task.mjs", import.meta.url);
})();

/** SHA-1 of a file, in a worker thread. */
const sha1File = defineTask<typeof import("./hash-task.mjs").sha1File>(hashTaskUrl, "sha1File");

/** `true` if `path` is `dir` itself or lies under it (both absolute and normalised). */
function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** Relays `tail`'s output to the client, framed by `Begin lastlog` / `End lastlog`. */
class TailRelay extends ProcessProtocol {
  readonly #client: CmdProtocol;
  readonly #stderr: Buffer[] = [];
  #lastByte = 0x0a;

  constructor(client: CmdProtocol) {
    super();
    this.#client = client;
  }

  override connectionMade(): void {
    // A slow client pauses reading tail's output, so nothing piles up in memory.
    (this.#client.transport as Partial<IConsumer>).registerProducer?.(this.transport, true);
  }

  override outReceived(data: Buffer): void {
    this.#lastByte = data[data.length - 1] ?? this.#lastByte;
    this.#client.transport.write(data);
  }

  override errReceived(data: Buffer): void {
    this.#stderr.push(data);
  }

  override processEnded(reason: Failure): void {
    this.#client.lastlogDone(this);
    if (!this.#client.connected) return;
    (this.#client.transport as Partial<IConsumer>).unregisterProducer?.();
    if (this.#lastByte !== 0x0a) this.#client.transport.write("\n");
    if (!reason.check(ProcessDone)) {
      const detail = Buffer.concat(this.#stderr).toString().trim() || reason.getErrorMessage();
      this.#client.sendLine(`An error occured : ${detail}`);
    }
    this.#client.sendLine("End lastlog");
  }
}

/** One client of the command server. */
export class CmdProtocol extends LineReceiver {
  override delimiter = "\n";
  /** The client's address while it is counted among the factory's clients. */
  #clientIp: string | null = null;
  #tail: { relay: TailRelay; process: ProcessTransport } | undefined;

  get #factory(): CmdFactory {
    return this.factory as CmdFactory;
  }

  /** Twisted's per-connection log prefix, `CmdProtocol,<session>,<peer host>`. */
  get #system(): string {
    return logPrefixOf(this.transport, this.logPrefix());
  }

  override connectionMade(): void {
    const peer = this.transport.getPeer();
    const ip = peer.type === "TCP" ? peer.host : "?"; // IAddress narrows by its type
    log.info("Client connection from {ip}", { ip, log_system: this.#system });
    const factory = this.#factory;
    if (factory.clients.size >= factory.maxClients) {
      log.info("Too many connections. bye !", { log_system: this.#system });
      this.transport.loseConnection();
      return;
    }
    this.#clientIp = ip;
    factory.clients.add(this);
  }

  override connectionLost(reason: Failure): void {
    log.info("Lost client connection. Reason: {reason}", {
      reason: reason.getErrorMessage(),
      log_system: this.#system,
    });
    if (this.#clientIp !== null) this.#factory.clients.delete(this);
    this.#clientIp = null;
    // Nobody is left to read tail's output.
    this.#tail?.process.loseConnection();
    super.connectionLost(reason);
  }

  override lineReceived(line: Buffer): void {
    // Telnet and friends send "\r\n"; the delimiter is "\n".
    const text = line.toString("utf8").replace(/\r$/, "");
    log.info("Cmd received from {ip} : {cmd}", {
      ip: this.#clientIp,
      cmd: text,
      log_system: this.#system,
    });
    const [command = "", ...args] = text.trim().split(/\s+/);
    switch (command) {
      case "lastlog":
        this.lastlog();
        break;
      case "comphash":
        this.comphash(args.join(" "));
        break;
      case "exit":
        this.transport.loseConnection();
        break;
      default:
        this.sendLine("Command not found.");
    }
  }

  /** Stream the last 10 lines of the log file from `tail`. */
  lastlog(): void {
    if (this.#tail !== undefined) {
      this.sendLine("An error occured : lastlog is already running");
      return;
    }
    this.sendLine("Begin lastlog");
    const relay = new TailRelay(this);
    const process = spawnProcess(relay, "tail", ["-n", "10", "--", this.#factory.logFile], {
      childFDs: { 0: "w", 1: "r", 2: "r" },
    });
    process.closeStdin();
    // processEnded is never called from within spawnProcess, so this is set before it clears it.
    this.#tail = { relay, process };
  }

  /** Called by the relay when `tail` has ended. */
  lastlogDone(relay: TailRelay): void {
    if (this.#tail?.relay === relay) this.#tail = undefined;
  }

  /** Reply with the SHA-1 of `path` (relative to the allowed directory), computed in a worker thread. */
  comphash(path: string): void {
    const factory = this.#factory;
    const reply = (line: string): void => {
      if (this.connected) this.sendLine(line);
    };
    if (path === "") {
      reply("An error occured : usage: comphash <path>");
      return;
    }
    const target = resolve(factory.allowedDir, path);
    Deferred.fromPromise(
      (async () => {
        // Refuse by name first (no probing of the file system outside), then by real path (symlinks).
        if (!isInside(factory.allowedDir, target))
          throw new Error(`${path} is outside the allowed directory`);
        let real: string;
        try {
          real = await realpath(target);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === "ENOENT")
            throw new Error(`no such file: ${path}`);
          throw err;
        }
        if (!isInside(factory.allowedDir, real))
          throw new Error(`${path} is outside the allowed directory`);
        return real;
      })(),
    )
      .addCallback((real: string) => deferToThreadPool(factory.pool, sha1File, real))
      .addCallbacks(
        (hex: string) => reply(`File hash is : ${hex}`),
        (f: Failure) => reply(`An error occured : ${f.getErrorMessage()}`),
      );
  }
}

/** Options of {@link CmdFactory}. */
export interface CmdFactoryOptions {
  /** The file `lastlog` tails. */
  logFile: string;
  /** The directory `comphash` may read under. */
  allowedDir: string;
  /** Most clients at once (the seed's 2). */
  maxClients?: number;
  /** Where `comphash` runs; default the default thread pool. */
  pool?: ThreadPool;
}

/** Builds {@link CmdProtocol}s and keeps the clients it serves. */
export class CmdFactory extends ServerFactory {
  /** Most clients at once. */
  readonly maxClients: number;
  /** The clients being served. */
  readonly clients: Set<CmdProtocol> = new Set();
  readonly logFile: string;
  /** The allowed directory, as a real path. */
  readonly allowedDir: string;
  readonly pool: ThreadPool;

  constructor(options: CmdFactoryOptions) {
    super();
    this.protocol = CmdProtocol;
    this.maxClients = options.maxClients ?? 2;
    this.logFile = resolve(options.logFile);
    this.allowedDir = realpathSync(options.allowedDir);
    this.pool = options.pool ?? getThreadPool();
  }
}

/** Write a small demo log file (when none was given: `/var/log/syslog` may not exist) and return its path. */
export function makeDemoLog(path: string = join(tmpdir(), "torsion-cmd-server-demo.log")): string {
  const lines = Array.from({ length: 25 }, (_, i) => `demo log line ${i + 1}`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

/** Parse the command line, listen, and run the reactor until SIGINT/SIGTERM. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", short: "p", default: "tcp:9999:interface=127.0.0.1" },
      "log-file": { type: "string" },
      dir: { type: "string", default: process.cwd() },
      "max-clients": { type: "string", default: "2" },
    },
  });
  globalLogBeginner.beginLoggingTo([textFileLogObserver(process.stdout)]);
  const factory = new CmdFactory({
    logFile: values["log-file"] ?? makeDemoLog(),
    allowedDir: values.dir,
    maxClients: Number(values["max-clients"]),
  });
  const port = await serverFromString(reactor, values.port).listen(factory);
  log.info("command server on {address}; lastlog reads {file}; comphash under {dir}", {
    address: port.getHost(),
    file: factory.logFile,
    dir: factory.allowedDir,
  });
  await reactor.run();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
