/**
 * Run a command and get its output or exit code as a Deferred (Twisted's
 * `twisted.internet.utils`: `getProcessOutput`, `getProcessValue`, `getProcessOutputAndValue`).
 *
 * @module
 */
import {
  Deferred,
  type Failure,
  type IReactorTime,
  type ProcessDone,
  ProcessExitedAlready,
  ProcessKilled,
  ProcessSpawnError,
  ProcessTerminated,
  UnexpectedErrorOutput,
} from "@torsion/core";
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
  /**
   * The most bytes kept from each of the child's output streams, as `child_process.execFile`'s
   * option of that name: past it the child is killed and the Deferred fails with
   * {@link OutputLimitExceeded}. Default {@link DEFAULT_MAX_BUFFER} (1 MiB); `Infinity` for no
   * limit. Ignored by {@link getProcessValue}, which keeps no output.
   */
  maxBuffer?: number;
}

/** The default `maxBuffer` of the output helpers: 1 MiB, as `child_process.execFile`'s. */
export const DEFAULT_MAX_BUFFER: number = 1024 * 1024;

/**
 * A child wrote more to one stream than the helper's `maxBuffer` allows; the child was killed
 * and what it wrote was dropped (Node's `ERR_CHILD_PROCESS_STDIO_MAXBUFFER`).
 */
export class OutputLimitExceeded extends Error {
  override readonly name = "OutputLimitExceeded";
  /** Node's code for the same failure. */
  readonly code = "ERR_CHILD_PROCESS_STDIO_MAXBUFFER";
  constructor(
    /** The command that was run. */
    readonly executable: string,
    /** `"stdout"`, `"stderr"`, or `"output"` (both together, with `errortoo`). */
    readonly stream: "stdout" | "stderr" | "output",
    /** Bytes read from that stream when the limit was passed. */
    readonly bytesRead: number,
    /** The limit. */
    readonly maxBuffer: number,
  ) {
    super(
      `${stream} of ${executable} passed maxBuffer (${maxBuffer} bytes): read ${bytesRead} bytes, ` +
        "so the process was killed; pass a larger maxBuffer (or Infinity) to keep more",
    );
  }
}

/** Collected output of one stream, bounded by `maxBuffer`. */
class BoundedOutput {
  readonly chunks: Buffer[] = [];
  length = 0;
  constructor(readonly maxBuffer: number) {
    if (!(maxBuffer >= 0)) throw new RangeError(`maxBuffer must be >= 0, got ${maxBuffer}`);
  }
  /** Keep `data`; `false` (and everything dropped) once past the limit. */
  add(data: Buffer): boolean {
    this.length += data.length;
    if (this.length > this.maxBuffer) {
      this.chunks.length = 0;
      return false;
    }
    this.chunks.push(data);
    return true;
  }
  value(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
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
  const limit = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  return run(
    executable,
    args,
    options,
    (d) => new BackRelay(d, executable, options.errortoo ?? false, limit),
  );
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
  const limit = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  return run(
    executable,
    args,
    options,
    (d) => new EverythingGetter(d, executable, options.stdinBytes, limit),
  );
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
  /** Output passed `maxBuffer`: fail with what was read, and kill the child. */
  protected overflowed(err: OutputLimitExceeded): void {
    if (this.settled) return;
    this.failWith(err);
    try {
      this.transport.signalProcess("KILL");
    } catch (e) {
      if (!(e instanceof ProcessExitedAlready)) throw e;
    }
    this.transport.loseConnection();
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
  readonly #output: BoundedOutput;
  readonly #executable: string;
  readonly #errortoo: boolean;
  #onProcessEnded: Deferred<ProcessDone | ProcessTerminated> | undefined;

  constructor(d: Deferred<Buffer>, executable: string, errortoo: boolean, maxBuffer: number) {
    super(d);
    this.#executable = executable;
    this.#errortoo = errortoo;
    this.#output = new BoundedOutput(maxBuffer);
  }
  #keep(data: Buffer): void {
    if (this.settled || this.#output.add(data)) return;
    const stream = this.#errortoo ? "output" : "stdout";
    const o = this.#output;
    this.overflowed(new OutputLimitExceeded(this.#executable, stream, o.length, o.maxBuffer));
  }
  override outReceived(data: Buffer): void {
    this.#keep(data);
  }
  override errReceived(data: Buffer): void {
    if (this.#errortoo) {
      this.#keep(data);
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
    this.succeed(this.#output.value());
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
  readonly #out: BoundedOutput;
  readonly #err: BoundedOutput;
  readonly #executable: string;
  readonly #stdinBytes: string | Uint8Array | undefined;

  constructor(
    d: Deferred<[Buffer, Buffer, number]>,
    executable: string,
    stdinBytes: string | Uint8Array | undefined,
    maxBuffer: number,
  ) {
    super(d);
    this.#executable = executable;
    this.#stdinBytes = stdinBytes;
    this.#out = new BoundedOutput(maxBuffer);
    this.#err = new BoundedOutput(maxBuffer);
  }
  #keep(output: BoundedOutput, stream: "stdout" | "stderr", data: Buffer): void {
    if (this.settled || output.add(data)) return;
    this.overflowed(
      new OutputLimitExceeded(this.#executable, stream, output.length, output.maxBuffer),
    );
  }
  override connectionMade(): void {
    if (this.#stdinBytes !== undefined) {
      this.transport.write(this.#stdinBytes);
      this.transport.closeStdin();
    }
  }
  override outReceived(data: Buffer): void {
    this.#keep(this.#out, "stdout", data);
  }
  override errReceived(data: Buffer): void {
    this.#keep(this.#err, "stderr", data);
  }
  override processEnded(reason: Failure): void {
    if (this.failedToStart(reason)) return;
    const out = this.#out.value();
    const err = this.#err.value();
    const value = reason.value as ProcessDone | ProcessTerminated;
    if (value instanceof ProcessTerminated && value.signal !== null)
      this.failWith(new ProcessKilled(value.signal, out, err));
    else this.succeed([out, err, value.exitCode ?? 0]);
  }
}
