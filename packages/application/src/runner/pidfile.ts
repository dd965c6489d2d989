/**
 * {@link PIDFile}: the `--pidfile` of `twist`, after Twisted's `twisted.application.runner._pidfile`.
 *
 * @module
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { AlreadyRunningError, InvalidPIDFileError } from "../errors.ts";

/**
 * A file holding the process id of a running `twist`. {@link PIDFile.claim} refuses to start a
 * second one while the first is alive, and replaces a stale file left by one that died.
 */
export class PIDFile {
  /** The file's path. */
  readonly path: string;
  #claimed = false;

  constructor(path: string) {
    this.path = path;
  }

  /**
   * The process id in the file, or `undefined` if there is no file.
   *
   * @throws InvalidPIDFileError if the file does not hold a process id.
   */
  read(): number | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const pid = Number(text.trim());
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(pid) || pid <= 0) {
      throw new InvalidPIDFileError(
        `PID file ${this.path} does not hold a process id: ${JSON.stringify(text.slice(0, 40))}`,
      );
    }
    return pid;
  }

  /**
   * Write this process's id, unless the file names a process that is alive.
   *
   * @throws AlreadyRunningError if it does; InvalidPIDFileError if the file holds something else.
   */
  claim(pid: number = process.pid): void {
    const existing = this.read();
    if (existing !== undefined && existing !== pid && isAlive(existing)) {
      throw new AlreadyRunningError(
        `Another twist is already running with pid ${existing} (from ${this.path}); stop it, or remove the file if that process is not twist`,
      );
    }
    writeFileSync(this.path, `${pid}\n`);
    this.#claimed = true;
  }

  /** Remove the file if this process wrote it. */
  release(): void {
    if (!this.#claimed) return;
    this.#claimed = false;
    rmSync(this.path, { force: true });
  }
}

/** Whether process `pid` exists (one owned by another user counts). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
