/**
 * Loading the addon (`build/Release/torsion_native.node`), once per environment (each worker
 * thread loads its own instance; the addon keeps its state per environment).
 *
 * @module
 * @internal
 */
import { createRequire } from "node:module";

/** An open libuv handle: its slot in the addon's table; never used after its `close` callback. */
export type Handle = number & { readonly __handle: unique symbol };

/** What the addon exports (see `src/addon/torsion_native.c`). Errors are negative libuv codes. */
export interface Binding {
  init(callbacks: {
    connection(this: unknown, status: number): void;
    /** `nread` bytes at `offset` of `slab`; no slab for a borrowed read (borrow buffer, offset 0), EOF or an error. */
    read(this: unknown, nread: number, slab?: ArrayBuffer, offset?: number): void;
    written(this: unknown, bytes: number, status: number): void;
    finish(this: unknown, status: number): void;
    close(this: unknown): void;
  }): void;
  listenTCP(
    wrapper: object,
    host: string,
    port: number,
    backlog: number,
    ipv6Only: boolean,
  ): Handle | { errno: number; syscall: string };
  listenPipe(
    wrapper: object,
    path: string,
    backlog: number,
  ): Handle | { errno: number; syscall: string };
  accept(server: Handle, wrapper: object): Handle | number;
  sockname(h: Handle, out: object): number;
  peername(h: Handle, out: object): number;
  /** Bytes queued, `undefined` when the kernel took everything, or a negative libuv error. */
  write(h: Handle, data: Uint8Array): number | undefined;
  writev(h: Handle, data: Uint8Array[]): number | undefined;
  shutdown(h: Handle): number;
  close(h: Handle, reset: boolean): void;
  readStart(h: Handle): number;
  readStop(h: Handle): number;
  setNoDelay(h: Handle, on: boolean): number;
  setKeepAlive(h: Handle, on: boolean, delaySeconds: number): number;
  ref(h: Handle, on: boolean): void;
  handOver(h: Handle): number;
  setBorrowed(h: Handle, on: boolean): void;
  writeBorrowed(h: Handle, length: number): number | undefined;
  borrowBuffer(): ArrayBuffer;
  resumeAccept(server: Handle): number;
}

/** The loaded addon, or why it is not there. */
export type LoadResult =
  | { binding: Binding; reason?: undefined }
  | { binding?: undefined; reason: string };

function load(): LoadResult {
  if (process.env.TORSION_NATIVE_DISABLE) {
    return { reason: "TORSION_NATIVE_DISABLE is set" };
  }
  if (process.platform === "win32") return { reason: "not supported on Windows" };
  try {
    const require = createRequire(import.meta.url);
    return { binding: require("../build/Release/torsion_native.node") as Binding };
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { reason: `the addon did not load (${message}); was it built at install?` };
  }
}

/** @internal The addon for this environment, loaded on first use. */
export const loaded: LoadResult = load();
