/**
 * UNIX-domain stream sockets for the Node reactor: {@link listenUNIX} and {@link connectUNIX}
 * (Twisted's `IReactorUNIX`), with Twisted's PID lock file for stale socket files.
 *
 * @module
 */
import * as fs from "node:fs";
import * as net from "node:net";
import { dirname, join } from "node:path";
import { Deferred } from "../deferred/deferred.ts";
import { CannotListenError, ConnectError } from "../errors.ts";
import type { ConnectUNIXOptions, IProtocolFactory, ListenUNIXOptions } from "../interfaces.ts";
import { cannotListen, fromSystemError } from "../system-errors.ts";
import { UNIXAddress } from "../transport/address.ts";
import { type ConnectorReactor, StreamConnector } from "../transport/connector.ts";
import { type ShutdownHooks, StreamPort } from "../transport/port.ts";
import { DEFAULT_BACKLOG, DEFAULT_CONNECT_TIMEOUT } from "./tcp.ts";
import { createStreamServer } from "./transport-choice.ts";

/**
 * Listen on the UNIX socket file `path`, made with `options.mode` (default `0o666`). The
 * socket is bound in a private directory beside `path`, given its mode there, then linked to
 * `path`, so the mode is never applied to something swapped in at `path`. (Tools that list
 * sockets, such as `ss -x`, show the name it was bound with, in that directory, which is gone.)
 *
 * With `wantPID`, a lock file `<path>.lock` (a symbolic link to this process's PID, as
 * Twisted's `FilesystemLock`) is taken first: if a live process holds it the listen fails
 * with `CannotListenError` ("Cannot acquire lock"); if the process that held it is dead, the
 * stale lock and the stale socket file it left are removed. Without `wantPID` an existing file
 * at `path` fails with "Address already in use". The socket file and the lock are removed
 * when the port stops listening.
 *
 * @returns A Deferred that fires with the port, or fails with `CannotListenError`.
 */
export function listenUNIX(
  reactor: ShutdownHooks,
  path: string,
  factory: IProtocolFactory,
  options: ListenUNIXOptions = {},
): Deferred<StreamPort> {
  const backlog = options.backlog ?? DEFAULT_BACKLOG;
  const mode = options.mode ?? 0o666;
  let lock: string | undefined;
  if (options.wantPID) {
    lock = `${path}.lock`;
    const taken = takeLock(lock);
    if (taken === "held") {
      const d = new Deferred<StreamPort>();
      d.errback(new CannotListenError("", path, "Cannot acquire lock"));
      return d;
    }
    if (taken === "stale") removeStaleSocket(path);
  }
  const server = createStreamServer(reactor);
  const host = new UNIXAddress(path);
  let staging: Staging | undefined;
  let published = false;
  const releaseLock = (): void => {
    if (lock !== undefined) unlinkQuietly(lock);
    lock = undefined;
  };
  const config = {
    server,
    connectionEvent: "connection",
    label: "UNIX",
    listen: (s: net.Server) => {
      staging = stage(path);
      s.listen({ path: staging.socket, backlog });
    },
    hostAddress: () => {
      const st = staging!;
      staging = undefined;
      publish(st, path, mode);
      published = true;
      return host;
    },
    peerAddress: () => new UNIXAddress(null),
    connectionHost: host,
    listenError: (err: NodeJS.ErrnoException) => {
      if (staging !== undefined) unstage(staging);
      staging = undefined;
      releaseLock();
      return cannotListen("", path, err);
    },
    afterClose: () => {
      if (staging !== undefined) unstage(staging);
      staging = undefined;
      // libuv removes the file it bound, which was the staging one: remove the published one.
      if (published) unlinkQuietly(path);
      published = false;
      releaseLock();
    },
  };
  return new StreamPort(config, factory, reactor).start();
}

/**
 * Connect to the UNIX socket file `path`. With `checkPID`, fail at once (throwing
 * `ConnectError`) unless a live process holds `<path>.lock`.
 *
 * @returns The connector, already connecting; failures (`ConnectionRefusedError` when no one
 *   listens, `ConnectError` for a missing file, `TimeoutError`) reach `clientConnectionFailed`.
 */
export function connectUNIX(
  reactor: ConnectorReactor,
  path: string,
  factory: IProtocolFactory,
  options: ConnectUNIXOptions = {},
): StreamConnector {
  if (options.checkPID && lockOwner(`${path}.lock`) === undefined) {
    throw new ConnectError(`No PID file: ${path}.lock is not held by a running process`);
  }
  const connector = new StreamConnector(
    {
      open: () => net.connect({ path, allowHalfOpen: true }),
      connectEvent: "connect",
      connectError: fromSystemError,
      destination: new UNIXAddress(path),
      peerAddress: () => new UNIXAddress(path),
      hostAddress: new UNIXAddress(null),
      timeout: options.timeout ?? DEFAULT_CONNECT_TIMEOUT,
    },
    factory,
    reactor,
  );
  connector.connect();
  return connector;
}

/** Where a socket is bound before it is published at its real path. */
interface Staging {
  dir: string;
  socket: string;
}

/**
 * A private directory (mode 0700, made by `mkdtemp`) beside `path` to bind the socket in. Its
 * mode can be set there with no window in which another user could swap the file for a
 * symbolic link (whose target `chmod` would then change), which binding at `path` and then
 * calling `chmod` leaves open.
 */
function stage(path: string): Staging {
  const dir = fs.mkdtempSync(join(dirname(path), ".torsion-"));
  return { dir, socket: join(dir, "s") };
}

/**
 * Set the socket's mode in the private directory, then hard-link it to `path`: `link` fails
 * (EEXIST, reported as "Address already in use") rather than replace whatever is at `path`,
 * and does not follow a symbolic link there.
 *
 * @throws CannotListenError if `path` exists or cannot be made.
 */
function publish(staging: Staging, path: string, mode: number): void {
  try {
    fs.chmodSync(staging.socket, mode);
    fs.linkSync(staging.socket, path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "EEXIST") e.code = "EADDRINUSE";
    throw cannotListen("", path, e);
  } finally {
    unstage(staging);
  }
}

function unstage(staging: Staging): void {
  unlinkQuietly(staging.socket);
  try {
    fs.rmdirSync(staging.dir);
  } catch {
    // Already gone.
  }
}

/** Take the lock: `"clean"` (there was none), `"stale"` (its owner was dead), or `"held"` (alive). */
function takeLock(lock: string): "clean" | "stale" | "held" {
  let stale = false;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.symlinkSync(String(process.pid), lock);
      return stale ? "stale" : "clean";
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    if (lockOwner(lock) !== undefined) return "held";
    unlinkQuietly(lock);
    stale = true;
  }
  return "held";
}

/** The PID of the live process holding `lock`, or `undefined`. */
function lockOwner(lock: string): number | undefined {
  let pid: number;
  try {
    pid = Number(fs.readlinkSync(lock));
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM" ? pid : undefined;
  }
}

function removeStaleSocket(path: string): void {
  try {
    if (fs.lstatSync(path).isSocket()) fs.unlinkSync(path);
  } catch {
    // Nothing there.
  }
}

function unlinkQuietly(path: string): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // Already gone.
  }
}
