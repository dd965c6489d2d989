/**
 * The seam between Torsion's stream transport and the socket under it.
 *
 * {@link TCPTransport} uses nothing of `net.Socket` beyond {@link StreamSocket}: a handful of
 * methods and the six events below. `net.Socket` and `tls.TLSSocket` provide it as they are;
 * a faster socket (a native libuv binding that calls back straight into the transport, as
 * Netty keeps a native epoll transport beside its portable NIO one) only has to provide the
 * same members for every protocol to run on it unchanged. Nothing outside `transport/` and
 * `reactor/` sees a `net.Socket`.
 *
 * Events a {@link StreamSocket} emits, with `this` bound to the socket (the transport's
 * listeners are shared functions that find their transport through {@link kTransport}, so an
 * idle connection costs no closures):
 *
 * | event    | when                                          | argument  |
 * |----------|-----------------------------------------------|-----------|
 * | `data`   | bytes arrived (while not paused)              | `Buffer`  |
 * | `end`    | the peer half-closed (FIN)                    |           |
 * | `drain`  | the write buffer emptied (was handed to the kernel) after `write` returned `false` | |
 * | `finish` | `end()` completed: everything was written and the write side shut down | |
 * | `error`  | a socket error (reset, TLS failure); `close` follows | `Error` |
 * | `close`  | the socket is closed; no event follows        |           |
 *
 * Flow control (see `flow-control.ts`) needs nothing beyond these members: after a write the
 * transport reads `writableLength` (and `writableNeedDrain`); past its high-water mark it calls
 * `pause()`; it resumes at its low-water mark, told by the callbacks of the writes made past
 * that mark (each runs once its chunk was handed to the kernel), or at the latest on the `drain`
 * that must follow (Node emits it once the buffer is empty). A socket that emits `drain` early,
 * with data still queued, still works: the transport resumes on a `drain` that finds
 * `writableLength` at or below its low-water mark, or after which no further `drain` is due
 * (`writableNeedDrain` false).
 *
 * @module
 * @internal
 */

/** Where a socket keeps the transport that owns it (read by the shared event listeners). */
export const kTransport: unique symbol = Symbol("torsion.transport");

/** The members of a connected stream socket the transport relies on (`net.Socket` has them all). */
export interface StreamSocket {
  /**
   * Queue `data`; `false` once the write buffer passed its high-water mark (then `drain`
   * follows). `callback` runs (later, never inside `write`) once this chunk and everything
   * before it was handed to the kernel, or with an error if the socket closed first.
   */
  write(data: string | Uint8Array, callback?: (error?: Error | null) => void): boolean;
  /** Hold writes until {@link uncork}, which sends them with one `writev`. */
  cork(): void;
  uncork(): void;
  /** Flush, then shut down the write side (FIN); `finish` follows. */
  end(): unknown;
  /** Close now; `close` follows. */
  destroy(error?: Error): unknown;
  /** Close now with a TCP reset (RST). Optional: TLS and UNIX sockets fall back to `destroy`. */
  resetAndDestroy?(): unknown;
  /** Stop / restart emitting `data` (and reading from the kernel). */
  pause(): unknown;
  resume(): unknown;
  /** Optional: stop reading and return a `net.Socket` on the same connection (for STARTTLS). */
  handOver?(): unknown;
  /**
   * Optional direct data path: call `listener` (with the socket as `this`) for each chunk
   * instead of emitting `data` (`data` listeners, if any, still get it). With `borrowed`, a
   * chunk is valid only during the call (see `IProtocol.receivesBorrowedData`); the socket
   * must then never keep a reference to one after a `write` returns. `net.Socket` does not
   * have it: the transport listens to `data` there.
   */
  setDataListener?(listener: (this: any, chunk: Buffer) => void, borrowed: boolean): void;
  setNoDelay(noDelay?: boolean): unknown;
  setKeepAlive(enable?: boolean, initialDelayMs?: number): unknown;
  /** Bytes queued in user space, not yet handed to the kernel. */
  readonly writableLength: number;
  /** `true` between a `write` that returned `false` and the `drain` that follows. */
  readonly writableNeedDrain: boolean;
  /** `true` once `finish` was emitted. */
  readonly writableFinished: boolean;
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly remoteFamily?: string | undefined;
  /** The local address: `{ address, port, family }` (an empty object for UNIX sockets). */
  address(): unknown;
  on(event: string, listener: (...args: any[]) => void): unknown;
  once(event: string, listener: (...args: any[]) => void): unknown;
  removeListener(event: string, listener: (...args: any[]) => void): unknown;
}
