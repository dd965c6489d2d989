/**
 * `@torsion/native`: an optional libuv transport for Torsion's listening TCP and UNIX ports,
 * behind core's `StreamSocket` seam. Core finds it by itself (`createReactor({ transport })`,
 * `TORSION_TRANSPORT`); this entry point is for those who want to check or use it directly.
 *
 * @module
 */
import { loaded } from "./binding.ts";
import { NativeServer } from "./server.ts";

export type { NativeSystemError } from "./errors.ts";
export { ACCEPT_PAUSE_MS, type NativeListenOptions, NativeServer } from "./server.ts";
export { NativeSocket, type SocketAddress } from "./socket.ts";

/** `true` when the addon was built and loaded in this environment. */
export const available: boolean = loaded.binding !== undefined;

/** Why the addon is unavailable (`undefined` when it is available). */
export const unavailableReason: string | undefined = loaded.reason;

/**
 * A new {@link NativeServer} (call `listen` on it).
 *
 * @throws Error if the addon is unavailable ({@link unavailableReason} says why).
 */
export function createServer(): NativeServer {
  if (loaded.binding === undefined)
    throw new Error(`@torsion/native is unavailable: ${loaded.reason}`);
  return new NativeServer(loaded.binding);
}

// Importing the package is enough for core to find it, even where core cannot `require` it.
(globalThis as Record<symbol, unknown>)[Symbol.for("@torsion/native")] ??= {
  available,
  unavailableReason,
  createServer,
};
