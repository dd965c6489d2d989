/**
 * The errors a child process ends with, after Twisted's `twisted.internet.error`
 * (`ProcessDone`, `ProcessTerminated`, `ProcessExitedAlready`) and `twisted.internet.utils`.
 *
 * @module
 */
import { constants } from "node:os";
import { ConnectionDone, ConnectionLost, TorsionError } from "@torsion/core";

/** A signal given by Node's name (`"SIGKILL"`) or by number (`9`). */
export type SignalLike = NodeJS.Signals | number;

function signalNumber(signal: SignalLike): number {
  if (typeof signal === "number") return signal;
  return constants.signals[signal] ?? Number.NaN;
}

function signalName(signal: SignalLike): NodeJS.Signals | null {
  if (typeof signal !== "number") return signal;
  for (const [name, n] of Object.entries(constants.signals)) {
    if (n === signal) return name as NodeJS.Signals;
  }
  return null;
}

/** A process exited with code 0. */
export class ProcessDone extends ConnectionDone {
  /** Always 0. */
  readonly exitCode = 0;
  /** Always `null`: no signal ended it. */
  readonly signal: null = null;
  /** Always `null`. */
  readonly signalName: null = null;
  /** The raw status, as Twisted's `status`. */
  readonly status: number;
  constructor(status = 0) {
    super("A process has ended without apparent errors: process finished with exit code 0.");
    this.status = status;
  }
}

/**
 * A process exited with a non-zero code or was killed by a signal. As in Twisted, `signal`
 * is the signal's number (`9`); `signalName` is Node's name for it (`"SIGKILL"`).
 */
export class ProcessTerminated extends ConnectionLost {
  /** The exit code, or `null` when a signal ended the process. */
  readonly exitCode: number | null;
  /** The number of the signal that ended the process (`9`), or `null`. */
  readonly signal: number | null;
  /** Node's name of that signal (`"SIGKILL"`), or `null`. */
  readonly signalName: NodeJS.Signals | null;
  constructor(exitCode: number | null, signal: SignalLike | null) {
    const number = signal === null ? null : signalNumber(signal);
    const name = signal === null ? null : signalName(signal);
    const parts: string[] = [];
    if (exitCode !== null) parts.push(`exit code ${exitCode}`);
    if (signal !== null) parts.push(`by signal ${number}${name ? ` (${name})` : ""}`);
    super(
      `A process has ended with a probable error condition: process ended${parts.length ? ` with ${parts.join(" ")}` : ""}.`,
    );
    this.exitCode = exitCode;
    this.signal = number;
    this.signalName = name;
  }
}

/** The process has already exited (`signalProcess` after exit). */
export class ProcessExitedAlready extends TorsionError {
  static override readonly defaultMessage: string = "The process has already exited.";
}

/**
 * The executable could not be started at all (it does not exist, is not executable, or the
 * working directory is missing). A {@link ProcessTerminated} whose `exitCode` follows the
 * shell's convention (127: not found, 126: found but not runnable); Node's error is `cause`.
 */
export class ProcessSpawnError extends ProcessTerminated {
  /** The executable that could not be started. */
  readonly executable: string;
  constructor(executable: string, cause: NodeJS.ErrnoException) {
    super(cause.code === "ENOENT" ? 127 : 126, null);
    this.executable = executable;
    this.cause = cause;
    this.message = `Could not start ${JSON.stringify(executable)}: ${cause.message}`;
  }
}

/**
 * `getProcessOutput` (without `errortoo`) received data on the child's stderr. `output` is
 * that first chunk; `processEnded` fires with the {@link ProcessDone} or
 * {@link ProcessTerminated} that ended the process, once it has ended.
 */
export class UnexpectedErrorOutput extends TorsionError {
  /** The first chunk read from stderr. */
  readonly output: Buffer;
  /** Fires once the process has ended. */
  readonly processEnded: PromiseLike<ProcessDone | ProcessTerminated>;
  constructor(output: Buffer, processEnded: PromiseLike<ProcessDone | ProcessTerminated>) {
    super(
      `got stderr: ${JSON.stringify(output.toString("utf8", 0, Math.min(output.length, 200)))}`,
    );
    this.output = output;
    this.processEnded = processEnded;
  }
}

/**
 * `getProcessOutputAndValue`: the process was killed by a signal. A {@link ProcessTerminated}
 * that also carries what the process wrote before it died (`out`, `err`).
 */
export class ProcessKilled extends ProcessTerminated {
  /** What the process wrote to stdout. */
  readonly out: Buffer;
  /** What the process wrote to stderr. */
  readonly err: Buffer;
  constructor(signal: SignalLike, out: Buffer, err: Buffer) {
    super(null, signal);
    this.out = out;
    this.err = err;
  }
}
