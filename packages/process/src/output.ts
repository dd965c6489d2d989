/**
 * Run a command and get its output or exit code as a Deferred (Twisted's
 * `twisted.internet.utils`: `getProcessOutput`, `getProcessValue`, `getProcessOutputAndValue`).
 *
 * @module
 */
import { Deferred, type Failure, type IReactorTime } from "@torsion/core";
import {
  type ProcessDone,
  ProcessExitedAlready,
  ProcessKilled,
  ProcessSpawnError,
  ProcessTerminated,
  UnexpectedErrorOutput,
} from "./errors.ts";
import { spawnProcess } from "./process.ts";
import { ProcessProtocol } from "./process-protocol.ts";

/** Options shared by the output helpers; see {@link SpawnProcessOptions} for `env` and `path`. */
export interface ProcessOutputOptions {
  /** The child's environment; default: inherit this process's (Twisted's default is empty). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The child's working directory. */
  path?: string;
  /** Passed to {@link spawnProcess}. */
  reactor?: IReactorTime;
}

/** Options for {@link getProcessOutput}. */
export interface GetProcessOutputOptions extends ProcessOutputOptions {
  /** Include stderr in the result (interleaved as it arrives) instead of failing on it. */
  errortoo?: boolean;
}

/** Options for {@link getProcessOutputAndValue}. */
export interface GetProcessOutputAndValueOptions extends ProcessOutputOptions {
  /** Written to the child's stdin, which is then closed. Without it stdin stays open until the child exits. */
  stdinBytes?: string | Uint8Array;
}

/**
 * Run `executable` with `args` and fire with everything it wrote to stdout, once it has ended.
 *
 * As in Twisted, the exit code does not matter, but stderr does: the first byte on stderr fails
 * the Deferred with {@link UnexpectedErrorOutput} (its `processEnded` fires when the process has
 * ended) and closes the pipes, unless `errortoo` is set, in which case stderr is part of the
 * result. Fails with {@link ProcessSpawnError} if the executable cannot be started. Cancelling
 * the Deferred kills the process.
 *
 * ```ts
 * const out = await getProcessOutput("git", ["rev-parse", "HEAD"]);
 * ```
 */
export function getProcessOutput(
  executable: string,
  args: readonly string[] = [],
  options: GetProcessOutputOptions = {},
): Deferred<Buffer> {
  return run(executable, args, options, (d) => new BackRelay(d, options.errortoo ?? false));
}

/**
 * Run `executable` with `args` and fire with its exit code once it has ended (`null` if it was
 * killed by a signal, as in Twisted). Output is discarded. Fails with
 * {@link ProcessSpawnError} if the executable cannot be started. Cancelling kills the process.
 */
export function getProcessValue(
  executable: string,
  args: readonly string[] = [],
  options: ProcessOutputOptions = {},
): Deferred<number | null> {
  return run(executable, args, options, (d) => new ValueGetter(d));
}

/**
 * Run `executable` with `args` and fire with `[stdout, stderr, exitCode]` once it has ended.
 * Fails with {@link ProcessKilled} (which carries `out`, `err` and `signal`) if the process was
 * killed by a signal, and with {@link ProcessSpawnError} if it cannot be started. Cancelling
 * kills the process.
 *
 * ```ts
 * const [out, err, code] = await getProcessOutputAndValue("sh", ["-c", "echo hi; exit 3"]);
 * ```
 */
export function getProcessOutputAndValue(
  executable: string,
  args: readonly string[] = [],
  options: GetProcessOutputAndValueOptions = {},
): Deferred<[out: Buffer, err: Buffer, exitCode: number]> {
  return run(executable, args, options, (d) => new EverythingGetter(d, options.stdinBytes));
}

/** Spawn with a protocol that fires `d`; cancelling `d` kills the process. Never throws. */
function run<T>(
  executable: string,
  args: readonly string[],
  options: ProcessOutputOptions,
  makeProtocol: (d: Deferred<T>) => ResultProtocol<T>,
): Deferred<T> {
  let proto: ResultProtocol<T> | undefined;
  const d = new Deferred<T>(() => {
    if (proto === undefined) return;
    proto.settled = true;
    try {
      proto.transport.signalProcess("KILL");
    } catch (err) {
      if (!(err instanceof ProcessExitedAlready)) throw err;
    }
  });
  try {
    proto = makeProtocol(d);
    spawnProcess(proto, executable, args, {
      env: options.env,
      path: options.path,
      reactor: options.reactor,
    });
  } catch (err) {
    if (proto) proto.settled = true;
    d.errback(err);
  }
  return d;
}

/** A protocol that fires one Deferred once, never twice (it may have been cancelled). */
abstract class ResultProtocol<T> extends ProcessProtocol {
  settled = false;
  readonly #d: Deferred<T>;
  constructor(d: Deferred<T>) {
    super();
    this.#d = d;
  }
  protected succeed(value: T): void {
    if (this.settled) return;
    this.settled = true;
    this.#d.callback(value);
  }
  protected failWith(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.#d.errback(err);
  }
  /** A start failure fails every helper. Returns `true` when it handled `reason`. */
  protected failedToStart(reason: Failure): boolean {
    if (!reason.check(ProcessSpawnError)) return false;
    this.failWith(reason);
    return true;
  }
}

/** Collects stdout (and stderr with `errortoo`); Twisted's `_BackRelay`. */
class BackRelay extends ResultProtocol<Buffer> {
  readonly #chunks: Buffer[] = [];
  readonly #errortoo: boolean;
  #onProcessEnded: Deferred<ProcessDone | ProcessTerminated> | undefined;

  constructor(d: Deferred<Buffer>, errortoo: boolean) {
    super(d);
    this.#errortoo = errortoo;
  }
  override outReceived(data: Buffer): void {
    this.#chunks.push(data);
  }
  override errReceived(data: Buffer): void {
    if (this.#errortoo) {
      this.#chunks.push(data);
      return;
    }
    if (this.settled) return;
    this.#onProcessEnded = new Deferred<ProcessDone | ProcessTerminated>();
    this.failWith(new UnexpectedErrorOutput(data, this.#onProcessEnded));
    this.transport.loseConnection();
  }
  override processEnded(reason: Failure): void {
    if (this.failedToStart(reason)) return;
    this.#onProcessEnded?.callback(reason.value as ProcessDone | ProcessTerminated);
    this.succeed(Buffer.concat(this.#chunks));
  }
}

/** Fires with the exit code; Twisted's `_ValueGetter`. */
class ValueGetter extends ResultProtocol<number | null> {
  override processEnded(reason: Failure): void {
    if (this.failedToStart(reason)) return;
    const value = reason.value as ProcessDone | ProcessTerminated;
    this.succeed(value.exitCode);
  }
}

/** Collects stdout and stderr apart and fires with both and the exit code; Twisted's `_EverythingGetter`. */
class EverythingGetter extends ResultProtocol<[Buffer, Buffer, number]> {
  readonly #out: Buffer[] = [];
  readonly #err: Buffer[] = [];
  readonly #stdinBytes: string | Uint8Array | undefined;

  constructor(d: Deferred<[Buffer, Buffer, number]>, stdinBytes: string | Uint8Array | undefined) {
    super(d);
    this.#stdinBytes = stdinBytes;
  }
  override connectionMade(): void {
    if (this.#stdinBytes !== undefined) {
      this.transport.write(this.#stdinBytes);
      this.transport.closeStdin();
    }
  }
  override outReceived(data: Buffer): void {
    this.#out.push(data);
  }
  override errReceived(data: Buffer): void {
    this.#err.push(data);
  }
  override processEnded(reason: Failure): void {
    if (this.failedToStart(reason)) return;
    const out = Buffer.concat(this.#out);
    const err = Buffer.concat(this.#err);
    const value = reason.value as ProcessDone | ProcessTerminated;
    if (value instanceof ProcessTerminated && value.signal !== null)
      this.failWith(new ProcessKilled(value.signalName ?? value.signal, out, err));
    else this.succeed([out, err, value.exitCode ?? 0]);
  }
}
