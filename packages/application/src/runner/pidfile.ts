/**
 * {@link PIDFile}: the `--pidfile` of `twist`, after Twisted's `twisted.application.runner._pidfile`,
 * claimed atomically.
 *
 * @module
 */
import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  lstatSync,
  openSync,
  readFileSync,
  readSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { AlreadyRunningError, InvalidPIDFileError } from "../errors.ts";
import { StartupError } from "./startup-error.ts";

const { O_CREAT, O_EXCL, O_WRONLY, O_RDONLY, O_NOFOLLOW } = constants;

/** An empty pid file older than this is stale (whatever created it died before writing). */
const EMPTY_STALE_MS = 2000;

/**
 * A file holding the process id of a running `twist`. {@link PIDFile.claim} creates it
 * atomically and exclusively (a hard link from a private temporary file: it fails if the path
 * exists, and never follows a symlink), so of several `twist` started at once on one file
 * exactly one runs; a file left by a process that is gone is replaced under a short-lived lock
 * file (`<path>.lock`), so two replacers cannot both win.
 */
export class PIDFile {
  /** The file's path. */
  readonly path: string;
  #claimed = false;

  constructor(path: string) {
    this.path = path;
  }

  /**
   * The process id in the file, or `undefined` if there is no file (or it is still empty).
   *
   * @throws InvalidPIDFileError if the file does not hold a process id, or is a symlink.
   */
  read(): number | undefined {
    let text: string;
    try {
      const fd = openSync(this.path, O_RDONLY | O_NOFOLLOW);
      try {
        text = readFileSync(fd, "utf8");
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return undefined;
      if (code === "ELOOP")
        throw new InvalidPIDFileError(
          `PID file ${this.path} is a symbolic link; twist does not follow it: remove it or choose another path`,
        );
      throw this.#cannot(error);
    }
    if (text === "") return undefined;
    const pid = Number(text.trim());
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(pid) || pid <= 0) {
      throw new InvalidPIDFileError(
        `PID file ${this.path} does not hold a process id: ${JSON.stringify(text.slice(0, 40))}; remove it if no twist is running`,
      );
    }
    return pid;
  }

  /**
   * Write this process's id, unless the file names a process that is alive.
   *
   * @throws AlreadyRunningError if it does; InvalidPIDFileError if the file holds something
   *   else or is a symlink; {@link StartupError} if it cannot be written (a missing directory).
   */
  claim(pid: number = process.pid): void {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (this.#create(pid)) {
        this.#claimed = true;
        return;
      }
      const existing = this.#readWaitingForContent();
      if (existing !== undefined && existing !== pid && isAlive(existing)) {
        throw new AlreadyRunningError(
          `Another twist is already running with pid ${existing} (from ${this.path}); stop it, or remove the file if that process is not twist`,
        );
      }
      // Stale (its process is gone), or ours: replace it, unless another claimer is doing so.
      this.#replaceStale(existing);
    }
    throw new AlreadyRunningError(
      `Could not claim PID file ${this.path}: other processes keep claiming it; is another twist starting?`,
    );
  }

  /** Remove the file if this process wrote it. */
  release(): void {
    if (!this.#claimed) return;
    this.#claimed = false;
    try {
      unlinkSync(this.path);
    } catch {
      // Already gone.
    }
  }

  /**
   * Create the file with `pid` in it, atomically: written to a private temporary file, then
   * hard-linked to the path (`link` fails if the path exists, symlink or not), so no other
   * claimer ever sees it empty. `false` if it exists.
   */
  #create(pid: number): boolean {
    const temp = `${this.path}.${pid}.${Date.now()}.tmp`;
    let fd: number;
    try {
      fd = openSync(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
    } catch (error) {
      throw this.#cannot(error);
    }
    try {
      writeSync(fd, `${pid}\n`);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, this.path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw this.#cannot(error);
      if (lstatSync(this.path, { throwIfNoEntry: false })?.isSymbolicLink())
        throw new InvalidPIDFileError(
          `PID file ${this.path} is a symbolic link; twist does not follow it: remove it or choose another path`,
        );
      return false;
    } finally {
      unlinkSync(temp);
    }
  }

  /**
   * Read the pid. An empty file (left by something that created it and died before writing;
   * `twist` itself never leaves one) is waited on until it is {@link EMPTY_STALE_MS} old.
   */
  #readWaitingForContent(): number | undefined {
    for (;;) {
      const pid = this.read();
      if (pid !== undefined) return pid;
      const stat = lstatSync(this.path, { throwIfNoEntry: false });
      if (stat === undefined || Date.now() - stat.mtimeMs > EMPTY_STALE_MS) return undefined;
      sleep(20);
    }
  }

  /** Remove the file if it still holds `stale`, holding `<path>.lock` while checking. */
  #replaceStale(stale: number | undefined): void {
    const lock = `${this.path}.lock`;
    let fd: number;
    try {
      fd = openSync(lock, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw this.#cannot(error);
      // Another claimer is replacing it; a lock left by a claimer that died is removed.
      if (lockHolderGone(lock)) unlinkIfSame(lock);
      else sleep(20);
      return;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
      if (this.read() === stale) unlinkSync(this.path);
    } catch {
      // Gone already: the next attempt creates it.
    } finally {
      closeSync(fd);
      unlinkSync(lock);
    }
  }

  #cannot(error: unknown): StartupError {
    const code = (error as NodeJS.ErrnoException).code;
    const what =
      code === "ENOENT"
        ? "its directory does not exist; create it or choose another path"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied; choose a path this user may write"
          : code === "EISDIR"
            ? "it is a directory; name a file"
            : ((error as Error)?.message ?? String(error));
    return new StartupError(`cannot write --pidfile ${this.path}: ${what}`, { cause: error });
  }
}

function lockHolderGone(lock: string): boolean {
  try {
    const fd = openSync(lock, O_RDONLY | O_NOFOLLOW);
    try {
      const buf = Buffer.alloc(32);
      const n = readSync(fd, buf, 0, 32, 0);
      const pid = Number(buf.subarray(0, n).toString().trim());
      // Empty: its holder is between create and write; give it time unless the file is old.
      if (n === 0) return Date.now() - fstatSync(fd).mtimeMs > 2000;
      return !Number.isSafeInteger(pid) || pid <= 0 || !isAlive(pid);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

function unlinkIfSame(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Someone else removed it.
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
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
