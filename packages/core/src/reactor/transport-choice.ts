/**
 * Which transport a reactor's listening TCP and UNIX ports use: `portable` (`node:net`) or
 * `native` (`@torsion/native`, a libuv binding behind the same `StreamSocket` seam), chosen with
 * `createReactor({ transport })` or `TORSION_TRANSPORT=native|portable|auto`. The default is
 * `auto`: native when the addon loads, portable otherwise. `@torsion/native` is an optional
 * peer: it is looked up at run time, so core neither needs it to build nor to run; when it is
 * missing or does not load, the portable transport is used and that is logged once, at `info`.
 *
 * Only listening TCP and UNIX ports go native; client connections and TLS ports stay on
 * `node:net`/`node:tls`. In a `node:cluster` worker (`twist --workers`) listening ports stay
 * portable too, whatever the choice: the cluster shares one listening socket between workers
 * through `node:net`'s handles, which a native socket cannot join (logged once, at `info`).
 *
 * @module
 */
import cluster from "node:cluster";
import { createRequire } from "node:module";
import * as net from "node:net";
import { join } from "node:path";
import { Logger } from "../logger/logger.ts";

/** A reactor's transport choice: `auto` is `native` when `@torsion/native` loads. */
export type TransportChoice = "native" | "portable" | "auto";

/** The transport actually in use. */
export type TransportName = "native" | "portable";

/** What core needs from `@torsion/native`. */
interface NativeModule {
  available: boolean;
  unavailableReason?: string | undefined;
  createServer(): unknown;
}

const log = new Logger("torsion.transport");
const choices = new WeakMap<object, TransportChoice>();
const CHOICES: readonly string[] = ["native", "portable", "auto"];
let native: NativeModule | null | undefined;
let warnedEnvironment = false;
let notedClusterWorker = false;

/**
 * Set the transport of `reactor`'s listening ports opened from now on (what `twist --transport`
 * does for the default reactor).
 *
 * @throws RangeError for anything but `native`, `portable` or `auto`.
 */
export function useTransport(reactor: object, choice: TransportChoice): void {
  if (!CHOICES.includes(choice))
    throw new RangeError(`transport must be "native", "portable" or "auto", not ${String(choice)}`);
  choices.set(reactor, choice);
}

/**
 * The transport `reactor`'s listening ports use: its choice, else `TORSION_TRANSPORT`, else
 * `auto` (native when `@torsion/native` loads); portable in a cluster worker.
 */
export function transportOf(reactor: object): TransportName {
  const choice = choices.get(reactor) ?? fromEnvironment();
  if (choice === "portable") return "portable";
  if (cluster.isWorker) {
    if (!notedClusterWorker)
      log.info(
        "Native transport not used in a cluster worker: the cluster shares its listening sockets through node:net; using the portable transport",
      );
    notedClusterWorker = true;
    return "portable";
  }
  return loadNative() === null ? "portable" : "native";
}

/** @internal A `net.Server`-shaped listening server (half-open connections) for `reactor`. */
export function createStreamServer(reactor: object): net.Server {
  if (transportOf(reactor) === "native") return loadNative()!.createServer() as net.Server;
  return net.createServer({ allowHalfOpen: true });
}

function fromEnvironment(): TransportChoice {
  const value = process.env.TORSION_TRANSPORT;
  if (value === undefined || value === "") return "auto";
  if (CHOICES.includes(value)) return value as TransportChoice;
  if (!warnedEnvironment)
    log.warn("TORSION_TRANSPORT={value} is not native, portable or auto; using auto", {
      value,
    });
  warnedEnvironment = true;
  return "auto";
}

/** `@torsion/native` if it is installed and its addon loaded; otherwise `null` (logged once). */
function loadNative(): NativeModule | null {
  if (native !== undefined) return native;
  let reason: string;
  try {
    const mod = requireNative();
    if (mod.available) {
      native = mod;
      return native;
    }
    reason = mod.unavailableReason ?? "unavailable";
  } catch (error) {
    reason = `@torsion/native is not installed (${(error as Error).message.split("\n")[0]})`;
  }
  native = null;
  log.info("Native transport unavailable: {reason}; using the portable transport", { reason });
  return native;
}

/**
 * `@torsion/native` as it registered itself when imported, else required from core's own
 * location (an optional peer), else from the program's directory.
 */
function requireNative(): NativeModule {
  const registered = (globalThis as Record<symbol, unknown>)[Symbol.for("@torsion/native")];
  if (registered !== undefined) return registered as NativeModule;
  try {
    return createRequire(import.meta.url)("@torsion/native") as NativeModule;
  } catch {
    return createRequire(join(process.cwd(), "index.js"))("@torsion/native") as NativeModule;
  }
}
