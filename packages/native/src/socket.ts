/**
 * {@link NativeSocket}: an accepted connection on a libuv handle, with the members and the six
 * events of core's `StreamSocket` seam (`data`, `end`, `drain`, `finish`, `error`, `close`).
 *
 * @module
 */
import { EventEmitter } from "node:events";
import * as net from "node:net";
import { getDefaultHighWaterMark } from "node:stream";
import type { Binding, Handle } from "./binding.ts";
import { errnoError } from "./errors.ts";
import { borrowedView, isBorrowed, isBorrowedView, ownedView } from "./views.ts";

const UV_EOF = -4095;
const UV_ECANCELED = -125;

// Socket states, as bits.
const PAUSED = 1;
const EOF = 2; // the peer half-closed
const END_CALLED = 4;
const FINISHED = 8;
const DESTROYED = 16;
const NEED_DRAIN = 32;
const HANDED_OVER = 64;
const BORROWED = 128; // reads go to the addon's borrow buffer (see setDataListener)
const DATA_LISTENED = 256; // someone called on("data") (besides the direct listener)
const TCP = 512; // a TCP socket (else UNIX)

/**
 * The socket's listener table, in place of EventEmitter's `{ __proto__: null }`: that one is a
 * dictionary (a hash table of a few hundred bytes once the transport's three listeners are in
 * it), this one keeps the six events of the seam in fields, about 80 bytes. Every EventEmitter
 * method works on it unchanged (they only read, set and delete keys; a field left `undefined`
 * is no listener); its prototype has no properties, as a null-prototype object.
 */
function SocketEvents(this: Record<string, unknown>): void {
  this.data = undefined;
  this.end = undefined;
  this.error = undefined;
  this.close = undefined;
  this.drain = undefined;
  this.finish = undefined;
  this.newListener = undefined;
  this.removeListener = undefined;
}
SocketEvents.prototype = Object.create(null);
const newEvents = SocketEvents as unknown as new () => Record<string, unknown>;

/** What {@link NativeSocket.setDataListener} takes: called with the socket as `this`. */
export type DataListener = (this: NativeSocket, chunk: Buffer) => void;

/** The local or remote address of a TCP socket, as `net.Socket#address()` gives it. */
export interface SocketAddress {
  address: string;
  port: number;
  family: string;
}

/** A write's callback, as `net.Socket#write`'s. */
type WriteCallback = (error?: Error | null) => void;

/**
 * Write callbacks waiting for their chunk to leave: `done` counts the bytes handed to the
 * kernel since the first callback was registered; `queue` holds (target, callback) pairs, in
 * order, each run once `done` reaches its target.
 */
interface Waiting {
  done: number;
  queue: (number | WriteCallback)[];
}

/** Run the callbacks whose chunks have left (on a later tick than the `write` that queued them). */
function runWaiting(waiting: Waiting, error?: Error): void {
  const q = waiting.queue;
  let i = 0;
  while (i < q.length && (error !== undefined || (q[i] as number) <= waiting.done)) {
    (q[i + 1] as WriteCallback)(error ?? null);
    i += 2;
  }
  if (i > 0) q.splice(0, i);
}

let binding: Binding;
let init: (socket: NativeSocket, b: Binding, h: Handle) => void;

/** @internal The addon's callbacks for connections, with the socket as `this`. */
export let socketCallbacks: {
  read(this: NativeSocket, nread: number, slab?: ArrayBuffer, offset?: number): void;
  written(this: NativeSocket, bytes: number, status: number): void;
  finish(this: NativeSocket, status: number): void;
  close(this: NativeSocket): void;
};

/**
 * A connection accepted by a {@link NativeServer}. It behaves as the parts of `net.Socket`
 * Torsion's transport uses: `write` returns `false` past the high-water mark (Node's default,
 * 16 KiB on Node 20) and `drain` follows once the queue is empty; `cork`/`uncork` send the
 * chunks written in between with one `writev`; `end()` sends FIN after the queued writes and
 * `finish` follows; `destroy()` closes, `resetAndDestroy()` closes with a reset (RST). The
 * connection is half-open (as `allowHalfOpen: true`): after `end` from the peer it may still
 * write, and it closes itself once both directions are done.
 *
 * Received data: each `data` Buffer is the caller's to keep. It is a view of a 512 KiB slab
 * that the addon fills at an offset that only moves forward and replaces, never reuses, when
 * it is nearly full, so no Buffer ever handed out changes afterwards (a kept Buffer keeps its
 * slab alive, as a pooled `Buffer.allocUnsafe` does). The one exception is opted into with
 * {@link NativeSocket.setDataListener}: borrowed chunks, valid only during the call.
 */
export class NativeSocket extends EventEmitter {
  #h: Handle | null = null;
  #flags = 0;
  #queued = 0;
  #corks = 0;
  #corked: Uint8Array[] | null = null;
  #corkedBytes = 0;
  #error: Error | undefined;
  #peer: SocketAddress | undefined;
  #afterHandOver: (() => void) | undefined;
  #onData: DataListener | null = null;
  /** Write callbacks not yet run; `null` until a write passes one (most connections never do). */
  #waiting: Waiting | null = null;

  /** @internal Made by {@link NativeServer} for each accepted connection. */
  constructor(tcp: boolean) {
    super();
    (this as unknown as { _events: object })._events = new newEvents();
    if (tcp) this.#flags = TCP;
  }

  /** Bytes of queued writes past which `write` returns `false` (Node's default for streams). */
  get writableHighWaterMark(): number {
    return getDefaultHighWaterMark(false);
  }

  /** The names of the events with listeners (the listener table keeps empty fields). */
  override eventNames(): (string | symbol)[] {
    const events = (this as unknown as { _events: Record<string | symbol, unknown> })._events;
    return Reflect.ownKeys(events).filter((k) => events[k] !== undefined);
  }

  static {
    init = (socket, b, h) => {
      binding = b;
      socket.#h = h;
    };
    socketCallbacks = {
      read(nread, buffer, offset) {
        if (nread > 0) {
          const flags = this.#flags;
          const chunk =
            buffer === undefined ? borrowedView(binding, nread) : ownedView(buffer, offset!, nread);
          const listener = this.#onData;
          if (listener === null) this.emit("data", chunk);
          else {
            listener.call(this, chunk);
            if (flags & DATA_LISTENED) this.emit("data", chunk);
          }
        } else if (nread === UV_EOF) {
          this.#flags |= EOF;
          this.emit("end");
          if (this.#flags & FINISHED) this.destroy();
        } else {
          this.destroy(errnoError(nread, "read"));
        }
      },
      written(bytes, status) {
        this.#queued -= bytes;
        if (this.#waiting !== null) {
          this.#waiting.done += bytes;
          runWaiting(this.#waiting);
        }
        if (status < 0 && status !== UV_ECANCELED) {
          this.destroy(errnoError(status, "write"));
          return;
        }
        if (this.#queued > 0) return;
        if (this.#flags & HANDED_OVER) {
          this.#afterHandOver?.();
          return;
        }
        if (this.#flags & NEED_DRAIN) {
          this.#flags &= ~NEED_DRAIN;
          this.emit("drain");
        }
      },
      finish(_status) {
        // As node:net, a failed shutdown (the peer is gone) still finishes; `close` follows.
        this.#flags |= FINISHED;
        this.emit("finish");
        if (this.#flags & EOF) this.destroy();
      },
      close() {
        this.#h = null;
        const error = this.#error;
        if (this.#waiting !== null && this.#waiting.queue.length > 0)
          runWaiting(this.#waiting, error ?? errnoError(UV_ECANCELED, "write"));
        if (this.#flags & HANDED_OVER) return;
        if (error !== undefined && this.listenerCount("error") > 0) this.emit("error", error);
        this.emit("close", error !== undefined);
      },
    };
  }

  /**
   * Deliver data by calling `listener` (with this socket as `this`) instead of emitting `data`:
   * one direct call per chunk, none of an event's machinery. `data` listeners still get every
   * chunk, after it. With `borrowed`, each chunk is a view valid only during the call (the
   * next read overwrites it): the listener must consume it then, keep no reference to it and
   * copy what it keeps. Writing it back to this socket is fine (the socket copies what it
   * cannot send at once). Without `borrowed`, chunks are the listener's to keep, as `data`'s.
   * `null` goes back to `data` events (and owned chunks).
   */
  setDataListener(listener: DataListener | null, borrowed = false): void {
    this.#onData = listener;
    const on = listener !== null && borrowed;
    if (on === ((this.#flags & BORROWED) !== 0)) return;
    this.#flags = on ? this.#flags | BORROWED : this.#flags & ~BORROWED;
    if (this.#h !== null) binding.setBorrowed(this.#h, on);
  }

  // `data` listeners are told apart from the direct listener so that the hot path does not
  // ask the emitter (`once` and `prependOnceListener` come through these).
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    if (event === "data") this.#flags |= DATA_LISTENED;
    return super.on(event, listener);
  }

  override addListener(event: string | symbol, listener: (...args: any[]) => void): this {
    if (event === "data") this.#flags |= DATA_LISTENED;
    return super.addListener(event, listener);
  }

  override prependListener(event: string | symbol, listener: (...args: any[]) => void): this {
    if (event === "data") this.#flags |= DATA_LISTENED;
    return super.prependListener(event, listener);
  }

  /** @internal */
  static init(socket: NativeSocket, b: Binding, h: Handle): void {
    init(socket, b, h);
  }

  /**
   * Queue `data` (strings as UTF-8); `false` once the queue passed the high-water mark.
   * `callback` runs once this chunk (and all before it) was handed to the kernel, on a later
   * tick, as `net.Socket`'s; with an error if the socket closes first.
   */
  write(data: string | Uint8Array, callback?: WriteCallback): boolean {
    if (this.#flags & (END_CALLED | DESTROYED)) return false;
    let chunk = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    if (this.#corked !== null) {
      // Held past this call, maybe past the next read: a borrowed chunk is copied.
      if (isBorrowed(chunk)) chunk = Buffer.from(chunk);
      this.#corked.push(chunk);
      this.#corkedBytes += chunk.byteLength;
    } else if (this.#flags & BORROWED && isBorrowedView(chunk)) {
      // A borrowed view as handed out: the addon knows where its bytes are.
      this.#send(binding.writeBorrowed(this.#h!, chunk.length), chunk.length);
    } else {
      this.#send(binding.write(this.#h!, chunk), chunk.byteLength);
    }
    if (callback !== undefined) this.#whenWritten(callback);
    return this.#accepting();
  }

  /** Hold writes until as many {@link uncork} calls; they then leave in one `writev`. */
  cork(): void {
    this.#corks++;
    this.#corked ??= [];
  }

  uncork(): void {
    if (this.#corks === 0) return;
    if (--this.#corks === 0) this.#flush();
  }

  /** Send FIN after everything queued; `finish` follows. */
  end(): this {
    if (this.#flags & (END_CALLED | DESTROYED)) return this;
    this.#corks = 0;
    this.#flush();
    this.#flags |= END_CALLED;
    const err = binding.shutdown(this.#h!);
    if (err < 0) this.destroy(errnoError(err, "shutdown"));
    return this;
  }

  /** Close now, dropping what was not sent; `error` (if given) and `close` follow. */
  destroy(error?: Error): this {
    if (this.#flags & DESTROYED) return this;
    this.#flags |= DESTROYED;
    this.#error = error;
    this.#corked = null;
    if (this.#h !== null) binding.close(this.#h, false);
    return this;
  }

  /** Close now with a TCP reset (RST); a UNIX socket, or one already shut down, closes plainly. */
  resetAndDestroy(): this {
    if (this.#flags & DESTROYED) return this;
    this.#flags |= DESTROYED;
    this.#corked = null;
    if (this.#h !== null) binding.close(this.#h, true);
    return this;
  }

  /** Stop reading from the kernel: no `data` until {@link resume}. */
  pause(): this {
    if (!(this.#flags & PAUSED) && this.#h !== null) {
      this.#flags |= PAUSED;
      binding.readStop(this.#h);
    }
    return this;
  }

  resume(): this {
    if (this.#flags & PAUSED) {
      this.#flags &= ~PAUSED;
      if (!(this.#flags & (EOF | DESTROYED | HANDED_OVER)) && this.#h !== null)
        binding.readStart(this.#h);
    }
    return this;
  }

  setNoDelay(noDelay = true): this {
    if (this.#h !== null) binding.setNoDelay(this.#h, noDelay);
    return this;
  }

  setKeepAlive(enable = false, initialDelayMs = 0): this {
    if (this.#h !== null) binding.setKeepAlive(this.#h, enable, Math.floor(initialDelayMs / 1000));
    return this;
  }

  /** Let the process exit while this connection is open (`ref()` undoes it), as `net.Socket`. */
  unref(): this {
    if (this.#h !== null) binding.ref(this.#h, false);
    return this;
  }

  ref(): this {
    if (this.#h !== null) binding.ref(this.#h, true);
    return this;
  }

  /** Bytes written but not yet handed to the kernel. */
  get writableLength(): number {
    return this.#queued + this.#corkedBytes;
  }

  /** `true` between a `write` that returned `false` and the `drain` that follows. */
  get writableNeedDrain(): boolean {
    return (this.#flags & NEED_DRAIN) !== 0;
  }

  /** `true` once `finish` was emitted. */
  get writableFinished(): boolean {
    return (this.#flags & FINISHED) !== 0;
  }

  get destroyed(): boolean {
    return (this.#flags & DESTROYED) !== 0;
  }

  get remoteAddress(): string | undefined {
    return this.#peerAddress()?.address;
  }

  get remotePort(): number | undefined {
    return this.#peerAddress()?.port;
  }

  get remoteFamily(): string | undefined {
    return this.#peerAddress()?.family;
  }

  /** The local address `{ address, port, family }`; an empty object for a UNIX socket. */
  address(): SocketAddress | Record<string, never> {
    const out = {} as SocketAddress;
    if (this.#flags & TCP && this.#h !== null) binding.sockname(this.#h, out);
    return out;
  }

  /**
   * Hand the connection over to a `net.Socket` on the same descriptor (STARTTLS wraps that one
   * in `tls.TLSSocket`). Reading stops now, before any byte past the ones already delivered
   * leaves the kernel; writes already queued here are sent first (the new socket is corked
   * until then). This socket then closes without emitting anything more.
   *
   * @throws Error with Node's `code` if the descriptor cannot be duplicated.
   */
  handOver(): net.Socket {
    if (this.#flags & (DESTROYED | END_CALLED) || this.#h === null)
      throw new Error("Cannot hand over a closing socket");
    this.#corks = 0;
    this.#flush();
    const fd = binding.handOver(this.#h);
    if (fd < 0) throw errnoError(fd, "dup");
    this.#flags |= HANDED_OVER | PAUSED;
    const socket = new net.Socket({ fd, readable: true, writable: true, allowHalfOpen: true });
    // Errors of the new socket reach this one's `error` listeners (the transport keeps its own).
    socket.on("error", (error) => this.emit("error", error));
    const h = this.#h;
    const done = (): void => {
      this.#afterHandOver = undefined;
      this.#flags |= DESTROYED;
      binding.close(h, false);
    };
    if (this.#queued === 0) done();
    else {
      socket.cork();
      this.#afterHandOver = () => {
        done();
        socket.uncork();
      };
    }
    return socket;
  }

  #peerAddress(): SocketAddress | undefined {
    if (this.#peer === undefined && this.#flags & TCP && this.#h !== null) {
      const out = {} as SocketAddress;
      if (binding.peername(this.#h, out) === 0) this.#peer = out;
    }
    return this.#peer;
  }

  #flush(): void {
    const chunks = this.#corked;
    const bytes = this.#corkedBytes;
    this.#corked = null;
    this.#corkedBytes = 0;
    if (chunks === null || chunks.length === 0 || this.#h === null) return;
    this.#send(
      chunks.length === 1 ? binding.write(this.#h, chunks[0]!) : binding.writev(this.#h, chunks),
      bytes,
    );
  }

  /**
   * After the addon took `bytes`: `result` of them are queued (`undefined`: none, all went at
   * once), or an error.
   */
  #send(result: number | undefined, bytes: number): void {
    if (result === undefined) {
      if (this.#waiting !== null) this.#waiting.done += bytes;
      return;
    }
    if (result >= 0 && this.#waiting !== null) this.#waiting.done += bytes - result;
    if (result > 0) this.#queued += result;
    else if (result < 0) {
      // As node:net, the error is reported asynchronously, through `error` and `close`.
      this.destroy(errnoError(result, "write"));
    }
  }

  /** Run `callback` once every byte queued so far has left (see {@link write}). */
  #whenWritten(callback: WriteCallback): void {
    const waiting = (this.#waiting ??= { done: 0, queue: [] });
    waiting.queue.push(waiting.done + this.writableLength, callback);
    if (this.writableLength === 0) process.nextTick(runWaiting, waiting);
  }

  #accepting(): boolean {
    if (this.#queued + this.#corkedBytes < this.writableHighWaterMark) return true;
    this.#flags |= NEED_DRAIN;
    return false;
  }
}
