/**
 * The contracts between a child process and the protocol that talks to it (Twisted's
 * `IProcessProtocol` and `IProcessTransport`). Types only.
 *
 * @module
 */
import type { Failure, IConsumer, IPushProducer, ITransport, MaybeAsync } from "@torsion/core";

/** A signal name as Twisted spells it (`"TERM"`, `"KILL"`, `"INT"`, `"HUP"`, …), Node's (`"SIGTERM"`), or a number. */
export type ProcessSignal = string | number;

/**
 * How each file descriptor of the child is set up, by its number in the child:
 *
 * - `"w"`: a pipe the parent **w**rites to (the child reads it), like stdin.
 * - `"r"`: a pipe the parent **r**eads from (the child writes to it), like stdout and stderr.
 * - a number: that descriptor of *this* process is handed to the child as it is (inherited),
 *   e.g. `{ 0: 0, 1: 1, 2: 2 }` lets the child use this process's terminal.
 *
 * Descriptors 0, 1 and 2 that are not mentioned are connected to `/dev/null`; higher ones that
 * are not mentioned are closed in the child. The default is `{ 0: "w", 1: "r", 2: "r" }`.
 */
export type ChildFDs = Readonly<Record<number, "r" | "w" | number>>;

/**
 * The transport a {@link ProcessProtocol} is given: the running child process
 * (Twisted's `IProcessTransport`).
 *
 * It is an {@link IConsumer} for the child's stdin (a registered producer is paused while the
 * pipe is full and resumed when the child has read it) and an {@link IPushProducer} for the
 * child's output (pausing stops reading stdout/stderr, so a fast child blocks on a full pipe).
 */
export interface IProcessTransport extends ITransport, IConsumer, IPushProducer {
  /** The child's process id; `null` once it has exited, or if it could not be started. */
  readonly pid: number | null;
  /** Write to the child's stdin (descriptor 0). Ignored once stdin is closed. */
  write(data: string | Uint8Array): void;
  /** Write several chunks to the child's stdin. */
  writeSequence(data: ReadonlyArray<string | Uint8Array>): void;
  /** Write to descriptor `childFD` of the child, which must be a `"w"` pipe. Ignored once it is closed. */
  writeToChild(childFD: number, data: string | Uint8Array): void;
  /** Close the child's stdin (after the data written so far), so it reads end-of-file. */
  closeStdin(): void;
  /** Close our end of the child's stdout; the child's further writes fail (EPIPE/SIGPIPE). */
  closeStdout(): void;
  /** Close our end of the child's stderr. */
  closeStderr(): void;
  /** Close our end of the pipe on descriptor `childFD` of the child. */
  closeChildFD(childFD: number): void;
  /**
   * Send a signal: `"TERM"`, `"KILL"`, `"INT"`, `"HUP"`… (Twisted's names), `"SIGTERM"`, or a number.
   *
   * @throws ProcessExitedAlready if the process has exited (or never started).
   * @throws TypeError for an unknown signal name.
   */
  signalProcess(signal: ProcessSignal): void;
  /** Close every pipe to the child: stdin after pending writes, the output pipes at once. */
  loseConnection(): void;
}

/**
 * What a child process reports to (Twisted's `IProcessProtocol`). Every callback may be
 * `async`: a rejected promise is handled as a thrown exception (logged with the protocol and
 * the pid; from `childDataReceived` and `connectionMade`, the pipes are closed too). Extend
 * {@link ProcessProtocol} for no-op defaults and the stdout/stderr shortcuts.
 */
export interface IProcessProtocol {
  /** Attach the process transport, then call `connectionMade`. */
  makeConnection(process: IProcessTransport): MaybeAsync;
  /** Data arrived from the child on descriptor `childFD` (1 is stdout, 2 is stderr). */
  childDataReceived(childFD: number, data: Buffer): MaybeAsync;
  /** The pipe on descriptor `childFD` of the child is closed (by either side). */
  childConnectionLost(childFD: number): MaybeAsync;
  /** The process has exited; pipes may still be open. See {@link ProcessProtocol.processExited}. */
  processExited(reason: Failure): MaybeAsync;
  /** The process has exited and every pipe is closed: the last call. */
  processEnded(reason: Failure): MaybeAsync;
}
