/**
 * {@link spawnProcess} and the process transport, over `node:child_process` (Twisted's
 * `reactor.spawnProcess` and `twisted.internet.process.Process`).
 *
 * @module
 */
import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { constants as osConstants } from "node:os";
import type { Readable, Writable } from "node:stream";
import {
  reactor as defaultReactor,
  Failure,
  type IAddress,
  type IPullProducer,
  type IPushProducer,
  type IReactorTime,
  Logger,
} from "@torsion/core";
import { callContained } from "@torsion/core/policies";
import { WritableConsumer } from "./consumer.ts";
import {
  ProcessDone,
  ProcessExitedAlready,
  ProcessSpawnError,
  ProcessTerminated,
} from "./errors.ts";
import type { ChildFDs, IProcessProtocol, IProcessTransport, ProcessSignal } from "./interfaces.ts";
import { DEFAULT_KILL_TIMEOUT, isReactorCore, terminateAtShutdown } from "./shutdown.ts";

const log = new Logger("torsion.process");

/** Options for {@link spawnProcess}. */
export interface SpawnProcessOptions {
  /**
   * The child's environment. When omitted the child **inherits this process's environment**
   * (`process.env`), as Node's `spawn` does; Twisted's POSIX default is an empty environment.
   * Pass `{}` for an empty one.
   */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** The child's working directory; default this process's. */
  path?: string | undefined;
  /** Run the child as this user id (needs privileges). */
  uid?: number;
  /** Run the child as this group id (needs privileges). */
  gid?: number;
  /** How the child's descriptors are set up; default `{ 0: "w", 1: "r", 2: "r" }`. See {@link ChildFDs}. */
  childFDs?: ChildFDs;
  /** `argv[0]` as the child sees it; default `executable`. */
  argv0?: string;
  /**
   * Schedules the report of a start failure that Node raised synchronously (for example
   * `EPERM` for a `uid` this process may not use), so the protocol always hears of it after
   * `spawnProcess` returned. Default: the next turn of the event loop.
   */
  reactor?: IReactorTime | undefined;
  /**
   * At the shutdown of `reactor` (or of the default reactor, when `reactor` has no system
   * events, such as a `Clock`), a child still running gets SIGTERM, then SIGKILL after this
   * many seconds; the shutdown waits for it. Default 5 (shorter than `twist`'s
   * `--shutdown-timeout` of 10). `null` leaves the child running when the reactor stops
   * (Twisted's behaviour); it then also keeps Node running until it exits.
   */
  killTimeout?: number | null;
}

const defaultChildFDs: ChildFDs = { 0: "w", 1: "r", 2: "r" };
const processAddress: IAddress = Object.freeze({ type: "PROCESS" });

interface Pipe {
  readonly fd: number;
  readonly mode: "r" | "w";
  readonly stream: Readable | Writable;
}

/**
 * Start `executable` with `args` and connect `protocol` to it. No shell is involved: arguments
 * are passed as they are, and `executable` is looked up on `PATH` when it has no slash.
 * Unlike Twisted, `args` does **not** include `argv[0]` (Node's convention; see `argv0`).
 *
 * `protocol.makeConnection(transport)` is called before this returns; if `connectionMade`
 * throws, the error is logged and the pipes are closed (`processEnded` still follows). If the executable cannot
 * be started (missing, not executable, missing working directory), the protocol hears it
 * promptly through the usual calls: every pipe's `childConnectionLost`, then `processExited`
 * and `processEnded` with a `ProcessSpawnError` (exit code 127 or 126, Node's error as `cause`).
 * Nothing is thrown for that; a `TypeError` is thrown only for arguments of the wrong type.
 *
 * ```ts
 * const proto = new MyProcessProtocol();
 * const transport = spawnProcess(proto, "grep", ["-c", "x"], { childFDs: { 0: "w", 1: "r", 2: "r" } });
 * transport.write("x\ny\nx\n");
 * transport.closeStdin();
 * ```
 */
export function spawnProcess(
  protocol: IProcessProtocol,
  executable: string,
  args: readonly string[] = [],
  options: SpawnProcessOptions = {},
): ProcessTransport {
  if (typeof executable !== "string" || executable === "")
    throw new TypeError("executable must be a non-empty string");
  if (!Array.isArray(args) || args.some((a) => typeof a !== "string"))
    throw new TypeError("args must be an array of strings");
  return new ProcessTransport(protocol, executable, args, options);
}

/**
 * The running child process, as its protocol sees it (Twisted's `Process`). Made by
 * {@link spawnProcess}; see {@link IProcessTransport} for what each method does.
 */
export class ProcessTransport implements IProcessTransport {
  readonly #protocol: IProcessProtocol;
  readonly #executable: string;
  /** The pipes still open, by the child's descriptor number. */
  readonly #pipes = new Map<number, Pipe>();
  /** Every `"w"` pipe ever set up, with its consumer (writes to a closed one are ignored). */
  readonly #writers = new Map<number, WritableConsumer>();
  #child: ChildProcess | undefined;
  #pid: number | null = null;
  #exitReason: Failure | undefined;
  #ended = false;
  #readingPaused = false;
  #releaseAtShutdown: (() => void) | undefined;
  #resolveExited: () => void = () => {};
  /** Resolves once the child has exited, or failed to start. */
  readonly exited: Promise<void> = new Promise((resolve) => {
    this.#resolveExited = resolve;
  });

  /** The command this transport started. */
  get executable(): string {
    return this.#executable;
  }

  /** Use {@link spawnProcess}. */
  constructor(
    protocol: IProcessProtocol,
    executable: string,
    args: readonly string[],
    options: SpawnProcessOptions,
  ) {
    this.#protocol = protocol;
    this.#executable = executable;
    const childFDs = options.childFDs ?? defaultChildFDs;
    const stdio = stdioFor(childFDs);
    let startError: NodeJS.ErrnoException | undefined;
    try {
      this.#child = spawn(executable, [...args], {
        stdio,
        env: options.env === undefined ? process.env : { ...options.env },
        cwd: options.path,
        uid: options.uid,
        gid: options.gid,
        argv0: options.argv0,
        windowsHide: true,
      });
    } catch (err) {
      if (err instanceof TypeError) throw err;
      startError = err as NodeJS.ErrnoException;
    }
    const child = this.#child;
    if (child) {
      this.#pid = child.pid ?? null;
      for (const [fd, mode] of Object.entries(childFDs)) {
        const stream = child.stdio[Number(fd)];
        if (typeof mode === "string" && stream) this.#attach({ fd: Number(fd), mode, stream });
      }
      child.on("exit", (code, signal) => this.#exited(code, signal));
      const killTimeout =
        options.killTimeout === undefined ? DEFAULT_KILL_TIMEOUT : options.killTimeout;
      if (killTimeout !== null && this.#pid !== null) {
        const owner = isReactorCore(options.reactor) ? options.reactor : defaultReactor;
        this.#releaseAtShutdown = terminateAtShutdown(owner, this, killTimeout);
      }
      child.on("error", (err: NodeJS.ErrnoException) => {
        // Before a pid exists the child never ran; later errors come from a failed kill.
        if (this.#pid === null && this.#exitReason === undefined) this.#failedToStart(err);
        else
          log.warn("error from child process {pid}: {error}", {
            pid: this.#pid,
            error: err.message,
          });
      });
    }
    // A bug in connectionMade (thrown, or an async one's rejection) closes this child's pipes
    // (as one would a connection); the caller still gets the transport, and processEnded comes.
    callContained(
      () => protocol.makeConnection(this),
      (err) => {
        this.#logError("connectionMade", err);
        this.loseConnection();
      },
    );
    if (startError) {
      const err = startError;
      const report = (): void => this.#failedToStart(err);
      if (options.reactor) options.reactor.callLater(0, report);
      else setImmediate(report);
    }
  }

  /** The child's process id; `null` once it has exited, or if it could not be started. */
  get pid(): number | null {
    return this.#pid;
  }

  // --- writing to the child ----------------------------------------------------------------

  /** Write to the child's stdin. Ignored once stdin is closed. */
  write(data: string | Uint8Array): void {
    this.writeToChild(0, data);
  }

  /** Write several chunks to the child's stdin. */
  writeSequence(data: ReadonlyArray<string | Uint8Array>): void {
    for (const chunk of data) this.writeToChild(0, chunk);
  }

  /**
   * Write to descriptor `childFD`, a `"w"` pipe. Ignored once that pipe is closed.
   *
   * @throws TypeError if `childFD` was not set up as a `"w"` pipe.
   */
  writeToChild(childFD: number, data: string | Uint8Array): void {
    const writer = this.#writers.get(childFD);
    if (writer === undefined)
      throw new TypeError(
        `descriptor ${childFD} of the child is not a pipe the parent writes to ("w")`,
      );
    writer.write(data);
  }

  /** Close the child's stdin once pending data is written; the child then reads end-of-file. */
  closeStdin(): void {
    this.closeChildFD(0);
  }

  /** Close our end of the child's stdout. */
  closeStdout(): void {
    this.closeChildFD(1);
  }

  /** Close our end of the child's stderr. */
  closeStderr(): void {
    this.closeChildFD(2);
  }

  /** Close our end of the pipe on `childFD`: a `"w"` pipe after its pending data, an `"r"` pipe at once. */
  closeChildFD(childFD: number): void {
    const pipe = this.#pipes.get(childFD);
    if (pipe === undefined) return;
    if (pipe.mode === "w") (pipe.stream as Writable).end();
    else pipe.stream.destroy();
  }

  /** Close every pipe to the child. */
  loseConnection(): void {
    for (const fd of [...this.#pipes.keys()]) this.closeChildFD(fd);
  }

  /**
   * Send `signal` (`"TERM"`, `"KILL"`, `"SIGINT"`, 9…) to the child.
   *
   * @throws ProcessExitedAlready if the process has exited or never started.
   * @throws TypeError for an unknown signal.
   */
  signalProcess(signal: ProcessSignal): void {
    const sig = toSignal(signal);
    if (this.#pid === null || this.#child === undefined) throw new ProcessExitedAlready();
    // kill() returns false when the process is already gone (ESRCH) but not yet reaped by Node.
    if (!this.#child.kill(sig)) throw new ProcessExitedAlready();
  }

  /** A pseudo-address: processes have no network address. */
  getPeer(): IAddress {
    return processAddress;
  }

  /** A pseudo-address: processes have no network address. */
  getHost(): IAddress {
    return processAddress;
  }

  // --- IConsumer (the child's stdin) ----------------------------------------------------------

  /**
   * Register a producer for the child's stdin. A push producer (`streaming` true) is paused
   * while the pipe is full and resumed when the child has read it; a pull producer is asked for
   * a chunk whenever the pipe can take more. If stdin is already closed, the producer is
   * stopped at once. When stdin closes, the producer is stopped.
   *
   * @throws Error if a producer is already registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    const stdin = this.#writers.get(0);
    if (stdin === undefined) producer.stopProducing();
    else stdin.register(producer, streaming);
  }

  /** Forget the registered producer. */
  unregisterProducer(): void {
    this.#writers.get(0)?.unregister();
  }

  // --- IPushProducer (the child's output) -------------------------------------------------------

  /** Stop reading the child's output; a child writing a lot then blocks on a full pipe. */
  pauseProducing(): void {
    this.#readingPaused = true;
  }

  /** Read the child's output again. */
  resumeProducing(): void {
    if (!this.#readingPaused) return;
    this.#readingPaused = false;
    for (const pipe of [...this.#pipes.values()]) {
      if (pipe.mode === "r") this.#readFrom(pipe.fd, pipe.stream as Readable);
    }
  }

  /** Close every pipe (as {@link ProcessTransport.loseConnection}). */
  stopProducing(): void {
    this.loseConnection();
  }

  // --- internals ------------------------------------------------------------------------------

  #attach(pipe: Pipe): void {
    this.#pipes.set(pipe.fd, pipe);
    const { fd, stream } = pipe;
    // A pipe error (EPIPE after the child went away, ECONNRESET) just closes that pipe.
    stream.on("error", () => stream.destroy());
    stream.on("close", () => this.#pipeClosed(fd));
    if (pipe.mode === "r") {
      // 'readable' rather than 'data': not calling read() is a real pause (the pipe fills and the
      // child blocks), and Node's child_process does not resume such a stream when the child exits.
      const r = stream as Readable;
      r.on("readable", () => this.#readFrom(fd, r));
    } else {
      const w = stream as Writable;
      // Our end is done once flushed; destroy so the descriptor closes even if the child keeps its end.
      w.on("finish", () => w.destroy());
      this.#writers.set(fd, new WritableConsumer(w, (what, err) => this.#logError(what, err)));
    }
  }

  #readFrom(fd: number, stream: Readable): void {
    let data: Buffer | null;
    while (!this.#readingPaused && this.#pipes.has(fd)) {
      data = stream.read() as Buffer | null;
      if (data === null) return;
      this.#dataReceived(fd, data);
    }
  }

  #dataReceived(fd: number, data: Buffer): void {
    // A throw, or a rejection of what an async childDataReceived returned, closes the pipes.
    callContained(
      () => this.#protocol.childDataReceived(fd, data),
      (err) => {
        log.failure(
          "Unhandled error in childDataReceived of {protocol}; closing the pipes to process {pid}",
          Failure.from(err),
          {
            protocol: this.#protocol.constructor.name,
            pid: this.#pid,
          },
        );
        this.loseConnection();
      },
    );
  }

  #pipeClosed(fd: number): void {
    const pipe = this.#pipes.get(fd);
    if (pipe === undefined) return;
    this.#pipes.delete(fd);
    this.#writers.get(fd)?.closed();
    this.#callSafely("childConnectionLost", () => this.#protocol.childConnectionLost(fd));
    this.#maybeEnd();
  }

  #exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#exitReason !== undefined) return;
    this.#pid = null;
    this.#releaseAtShutdown?.();
    this.#resolveExited();
    this.#exitReason = new Failure(
      code === 0 ? new ProcessDone(0) : new ProcessTerminated(code, signal),
    );
    // Nobody can read what we would still write: close our ends of the child's input pipes.
    for (const pipe of this.#pipes.values()) if (pipe.mode === "w") pipe.stream.destroy();
    const reason = this.#exitReason;
    this.#callSafely("processExited", () => this.#protocol.processExited(reason));
    this.#maybeEnd();
  }

  #failedToStart(err: NodeJS.ErrnoException): void {
    if (this.#exitReason !== undefined) return;
    this.#pid = null;
    this.#releaseAtShutdown?.();
    this.#resolveExited();
    this.#exitReason = new Failure(new ProcessSpawnError(this.#executable, err));
    for (const pipe of this.#pipes.values()) pipe.stream.destroy();
    const reason = this.#exitReason;
    this.#callSafely("processExited", () => this.#protocol.processExited(reason));
    this.#maybeEnd();
  }

  #maybeEnd(): void {
    if (this.#ended || this.#exitReason === undefined || this.#pipes.size > 0) return;
    this.#ended = true;
    const reason = this.#exitReason;
    this.#callSafely("processEnded", () => this.#protocol.processEnded(reason));
  }

  #callSafely(what: string, fn: () => unknown): void {
    callContained(fn, (err) => this.#logError(what, err));
  }

  #logError(what: string, err: unknown): void {
    log.failure(`Unhandled error in ${what} of {protocol} (process {pid})`, Failure.from(err), {
      protocol: this.#protocol.constructor.name,
      pid: this.#pid,
    });
  }
}

/** Node's `stdio` array for `childFDs`: pipes for "r"/"w", descriptors passed through, gaps ignored. */
function stdioFor(childFDs: ChildFDs): StdioOptions {
  const fds = Object.keys(childFDs).map(Number);
  for (const fd of fds) {
    if (!Number.isInteger(fd) || fd < 0)
      throw new TypeError(`childFDs key ${fd} is not a descriptor number`);
    const v = childFDs[fd];
    if (v !== "r" && v !== "w" && !(typeof v === "number" && Number.isInteger(v) && v >= 0)) {
      throw new TypeError(
        `childFDs[${fd}] must be "r", "w" or a descriptor number, not ${JSON.stringify(v)}`,
      );
    }
  }
  const top = Math.max(2, ...fds);
  const stdio: Array<"pipe" | "ignore" | number> = [];
  for (let fd = 0; fd <= top; fd++) {
    const v = childFDs[fd];
    stdio.push(v === undefined ? "ignore" : typeof v === "number" ? v : "pipe");
  }
  return stdio;
}

/** Twisted's signal names (`"TERM"`) and numbers to what `ChildProcess.kill` takes. */
function toSignal(signal: ProcessSignal): NodeJS.Signals | number {
  if (typeof signal === "number") {
    if (!Number.isInteger(signal) || signal < 0)
      throw new TypeError(`invalid signal number ${signal}`);
    return signal;
  }
  const name = (signal.startsWith("SIG") ? signal : `SIG${signal}`) as NodeJS.Signals;
  if (!(name in osConstants.signals))
    throw new TypeError(`unknown signal ${JSON.stringify(signal)}`);
  return name;
}
