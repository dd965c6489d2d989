/**
 * {@link ProcessProtocol}: the base class for talking to a child process, after Twisted's
 * `twisted.internet.protocol.ProcessProtocol`.
 *
 * @module
 */
import { BaseProtocol, type Failure, type MaybeAsync } from "@torsion/core";
import { NotConnectedError } from "@torsion/core/errors";
import type { IProcessProtocol, IProcessTransport } from "./interfaces.ts";

/**
 * Talks to one child process started by {@link spawnProcess}. Override the callbacks you need;
 * the defaults do nothing.
 *
 * **Order of calls.** `makeConnection` → `connectionMade` → any number of `outReceived`,
 * `errReceived` (or `childDataReceived` for other descriptors) → one `childConnectionLost(fd)`
 * for every pipe (`inConnectionLost`, `outConnectionLost`, `errConnectionLost` for 0, 1, 2),
 * with `processExited(reason)` somewhere among them → `processEnded(reason)`, always last and
 * exactly once.
 *
 * **processExited or processEnded?** `processExited` means *the process is gone*: it has exited
 * or was killed, but its pipes may still be open, and output may still arrive after it (a
 * process can exit while a grandchild it started keeps its stdout open, and data already in
 * the pipe is still being read). `processEnded` means *everything is over*: the process has
 * exited **and** every pipe is closed, so no callback follows. Use `processEnded` to collect
 * the complete output or to report completion; use `processExited` only if you must react to
 * the exit itself. Both receive the same reason:
 *
 * - `ProcessDone` (a `ConnectionDone`) when the exit code is 0;
 * - `ProcessTerminated` (a `ConnectionLost`) otherwise, with `exitCode` (a number, or `null` when
 *   killed) and `signal` (`"SIGTERM"`…, or `null`);
 * - `ProcessSpawnError` (a `ProcessTerminated`, `exitCode` 127 or 126) when the executable
 *   could not be started at all.
 *
 * ```ts
 * class Collect extends ProcessProtocol {
 *   chunks: Buffer[] = [];
 *   override outReceived(data: Buffer): void { this.chunks.push(data); }
 *   override processEnded(reason: Failure): void {
 *     console.log(Buffer.concat(this.chunks).toString(), reason.getErrorMessage());
 *   }
 * }
 * spawnProcess(new Collect(), "ls", ["-l"]);
 * ```
 */
export class ProcessProtocol extends BaseProtocol implements IProcessProtocol {
  #process: IProcessTransport | undefined;

  /**
   * The process transport, set by {@link ProcessProtocol.makeConnection} before `connectionMade`.
   *
   * @throws NotConnectedError before `makeConnection`.
   */
  override get transport(): IProcessTransport {
    const t = this.#process;
    if (t === undefined)
      throw new NotConnectedError(`${this.constructor.name} has no process: it was not spawned`);
    return t;
  }
  override set transport(t: IProcessTransport | undefined) {
    this.#process = t;
  }

  /** Attach the process transport and call `connectionMade`. Called by {@link spawnProcess}. */
  override makeConnection(process: IProcessTransport): MaybeAsync {
    this.#process = process;
    return super.makeConnection(process);
  }

  /** Data from descriptor `childFD`. The default sends 1 to `outReceived`, 2 to `errReceived`, and drops the rest. */
  childDataReceived(childFD: number, data: Buffer): MaybeAsync {
    if (childFD === 1) return this.outReceived(data);
    if (childFD === 2) return this.errReceived(data);
    return undefined;
  }

  /** Data from the child's stdout. The default does nothing. */
  outReceived(_data: Buffer): MaybeAsync {}

  /** Data from the child's stderr. The default does nothing. */
  errReceived(_data: Buffer): MaybeAsync {}

  /** A pipe closed. The default calls `inConnectionLost`, `outConnectionLost` or `errConnectionLost` for 0, 1, 2. */
  childConnectionLost(childFD: number): MaybeAsync {
    if (childFD === 0) return this.inConnectionLost();
    if (childFD === 1) return this.outConnectionLost();
    if (childFD === 2) return this.errConnectionLost();
    return undefined;
  }

  /** The child's stdin is closed (we closed it, or the child exited). The default does nothing. */
  inConnectionLost(): MaybeAsync {}

  /** The child's stdout is closed. The default does nothing. */
  outConnectionLost(): MaybeAsync {}

  /** The child's stderr is closed. The default does nothing. */
  errConnectionLost(): MaybeAsync {}

  /**
   * The process has exited, but pipes may still be open and output may still arrive; see the
   * class documentation. `reason` wraps `ProcessDone` or `ProcessTerminated`. The default does nothing.
   */
  processExited(_reason: Failure): MaybeAsync {}

  /**
   * The process has exited and every pipe is closed: the last callback. `reason` wraps
   * `ProcessDone` or `ProcessTerminated`. The default does nothing.
   */
  processEnded(_reason: Failure): MaybeAsync {}
}
