/**
 * Children do not outlive their reactor: at the reactor's shutdown (what `twist` does on
 * SIGTERM), every child that {@link spawnProcess} started and that is still running gets
 * SIGTERM, then SIGKILL if it has not exited within its kill timeout. The `before shutdown`
 * trigger holds the shutdown until they have exited, so `reactor.stop()` does not leave Node
 * running because of a child, and no child is left orphaned.
 *
 * Twisted leaves children running when the reactor stops; a Torsion server run by `twist` is
 * usually managed by systemd or a container runtime, which expect the whole tree to go.
 *
 * @module
 */
import { type IReactorCore, type IReactorTime, Logger } from "@torsion/core";

const log = new Logger("torsion.process");

/** How long a child has between SIGTERM and SIGKILL at shutdown, by default: 5 seconds. */
export const DEFAULT_KILL_TIMEOUT = 5;

/** What the shutdown needs of a running child. */
export interface ShutdownChild {
  readonly pid: number | null;
  readonly executable: string;
  /** Send a signal; throws once the child has exited. */
  signalProcess(signal: "TERM" | "KILL"): void;
  /** Resolves once the child has exited (or never started). */
  readonly exited: Promise<void>;
}

interface Tracked {
  readonly child: ShutdownChild;
  readonly killTimeout: number;
}

/** Children still running, per reactor (a reactor is never kept alive by this map). */
const running = new WeakMap<IReactorCore, Set<Tracked>>();

/** `true` if `r` has system event triggers (a `Clock` has only time). */
export function isReactorCore(r: unknown): r is IReactorCore & IReactorTime {
  return (
    typeof r === "object" &&
    r !== null &&
    typeof (r as IReactorCore).addSystemEventTrigger === "function" &&
    typeof (r as IReactorTime).callLater === "function"
  );
}

/**
 * Have `reactor`'s shutdown terminate `child` if it is still running then. Returns the function
 * to call once the child has exited.
 */
export function terminateAtShutdown(
  reactor: IReactorCore & IReactorTime,
  child: ShutdownChild,
  killTimeout: number,
): () => void {
  let children = running.get(reactor);
  if (children === undefined) {
    const set = new Set<Tracked>();
    children = set;
    running.set(reactor, set);
    reactor.addSystemEventTrigger("before", "shutdown", () =>
      Promise.all([...set].map((t) => terminate(reactor, t))),
    );
  }
  const tracked: Tracked = { child, killTimeout };
  const set = children;
  set.add(tracked);
  return () => {
    set.delete(tracked);
  };
}

/** SIGTERM, then SIGKILL after the kill timeout; resolves once the child has exited. */
async function terminate(clock: IReactorTime, { child, killTimeout }: Tracked): Promise<void> {
  const pid = child.pid;
  if (pid === null || !send(child, "TERM")) return;
  log.info("Shutting down: sent SIGTERM to child process {pid} ({executable})", {
    pid,
    executable: child.executable,
  });
  if (await exitsWithin(clock, child, killTimeout)) return;
  if (!send(child, "KILL")) return;
  log.warn(
    "Child process {pid} ({executable}) did not exit within {killTimeout} s of SIGTERM; sent SIGKILL",
    { pid, executable: child.executable, killTimeout },
  );
  // SIGKILL cannot be caught; the wait is only for the kernel to reap it.
  await exitsWithin(clock, child, 5);
}

function send(child: ShutdownChild, signal: "TERM" | "KILL"): boolean {
  try {
    child.signalProcess(signal);
    return true;
  } catch {
    return false; // exited meanwhile
  }
}

function exitsWithin(clock: IReactorTime, child: ShutdownChild, seconds: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = clock.callLater(seconds, () => resolve(false));
    void child.exited.then(() => {
      if (timer.active()) timer.cancel();
      resolve(true);
    });
  });
}
