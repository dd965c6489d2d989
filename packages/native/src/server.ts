/**
 * {@link NativeServer}: a listening TCP or UNIX socket on a libuv handle, shaped as the parts of
 * `net.Server` Torsion's ports use (`listen`, `address`, `close`, `listening`/`error`/
 * `connection` events).
 *
 * @module
 */
import { lookup } from "node:dns";
import { EventEmitter } from "node:events";
import { isIP } from "node:net";
import type { Binding, Handle } from "./binding.ts";
import { errnoError, listenError } from "./errors.ts";
import { NativeSocket, type SocketAddress, socketCallbacks } from "./socket.ts";

/** Where to listen: an IP port (`host` an address or a name), or a UNIX socket `path`. */
export type NativeListenOptions =
  | { port?: number; host?: string; backlog?: number; ipv6Only?: boolean; path?: undefined }
  | { path: string; backlog?: number };

const DEFAULT_BACKLOG = 511;

/**
 * Milliseconds accepting stops after an accept error such as EMFILE/ENFILE (out of file
 * descriptors), as nginx does: the pending connections wait in the listen backlog instead of
 * being closed, and the event loop does not spin on a listening socket that stays readable.
 */
export const ACCEPT_PAUSE_MS = 500;
let accept: (server: NativeServer, status: number) => void;
const initialised = new WeakSet<Binding>();

/**
 * A listening socket whose connections are {@link NativeSocket}s. Made with
 * {@link createServer}; connections are half-open (as `allowHalfOpen: true`).
 *
 * Dual stack as `node:net`: `host: "::"` accepts IPv4 too unless `ipv6Only`; `"0.0.0.0"` is IPv4
 * only. A host name is resolved with `dns.lookup` first, as `net.Server#listen` does.
 */
export class NativeServer extends EventEmitter {
  readonly #binding: Binding;
  #h: Handle | null = null;
  #tcp = true;
  #path: string | undefined;
  #closed = false;
  #unref = false;
  #resume: NodeJS.Timeout | undefined;

  /** @internal Use {@link createServer}. */
  constructor(binding: Binding) {
    super();
    this.#binding = binding;
    if (!initialised.has(binding)) {
      initialised.add(binding);
      binding.init({
        connection(status) {
          accept(this as NativeServer, status);
        },
        ...(socketCallbacks as unknown as Pick<
          Parameters<Binding["init"]>[0],
          "read" | "written" | "finish" | "close"
        >),
        close(this: unknown) {
          if (this instanceof NativeServer) this.#onClosed();
          else socketCallbacks.close.call(this as NativeSocket);
        },
      });
    }
  }

  static {
    accept = (server, status) => {
      if (status < 0) {
        server.#pauseAccepting();
        server.emit(
          "error",
          Object.assign(errnoError(status, "accept"), {
            acceptPausedMs: ACCEPT_PAUSE_MS,
          }),
        );
        return;
      }
      if (server.#h === null) return;
      const socket = new NativeSocket(server.#tcp);
      const h = server.#binding.accept(server.#h, socket);
      if ((h as number) < 0) return; // the peer left before accept (as node:net, ignored)
      NativeSocket.init(socket, server.#binding, h as Handle);
      server.emit("connection", socket);
    };
  }

  /** Start listening; `listening` or `error` (a `node:net`-shaped error) follows. */
  listen(options: NativeListenOptions): this {
    if (this.#h !== null) throw new Error("Server is already listening");
    const backlog = options.backlog ?? DEFAULT_BACKLOG;
    if (options.path !== undefined) {
      const path = options.path;
      this.#tcp = false;
      this.#path = path;
      this.#finish(this.#binding.listenPipe(this, path, backlog), path, -1);
      return this;
    }
    const port = options.port ?? 0;
    const host = options.host ?? "::";
    const ipv6Only = options.ipv6Only ?? false;
    if (isIP(host) !== 0) {
      this.#finish(this.#binding.listenTCP(this, host, port, backlog, ipv6Only), host, port);
      return this;
    }
    lookup(host, (err, address) => {
      if (err) this.emit("error", err);
      else if (!this.#closed)
        this.#finish(
          this.#binding.listenTCP(this, address, port, backlog, ipv6Only),
          address,
          port,
        );
    });
    return this;
  }

  /** The bound `{ address, port, family }`, or the path of a UNIX socket; `null` when not listening. */
  address(): SocketAddress | string | null {
    if (this.#h === null) return null;
    if (!this.#tcp) return this.#path!;
    const out = {} as SocketAddress;
    return this.#binding.sockname(this.#h, out) === 0 ? out : null;
  }

  /** `true` while listening. */
  get listening(): boolean {
    return this.#h !== null;
  }

  /** Stop listening (open connections stay); `close` follows. */
  close(callback?: (err?: Error) => void): this {
    if (callback !== undefined) this.once("close", callback);
    this.#closed = true;
    clearTimeout(this.#resume);
    this.#resume = undefined;
    if (this.#h !== null) this.#binding.close(this.#h, false);
    else process.nextTick(() => this.emit("close"));
    return this;
  }

  /** Let the process exit while listening (`ref()` undoes it), as `net.Server`. */
  unref(): this {
    this.#unref = true;
    if (this.#h !== null) this.#binding.ref(this.#h, false);
    this.#resume?.unref();
    return this;
  }

  ref(): this {
    this.#unref = false;
    if (this.#h !== null) this.#binding.ref(this.#h, true);
    this.#resume?.ref();
    return this;
  }

  /**
   * The addon stopped accepting after an error (out of descriptors): resume in
   * {@link ACCEPT_PAUSE_MS}. The timer holds the process as the listening socket would (a
   * paused one does not).
   */
  #pauseAccepting(): void {
    if (this.#resume !== undefined || this.#h === null) return;
    this.#resume = setTimeout(() => {
      this.#resume = undefined;
      if (this.#h !== null) this.#binding.resumeAccept(this.#h);
    }, ACCEPT_PAUSE_MS);
    if (this.#unref) this.#resume.unref();
  }

  #finish(result: ReturnType<Binding["listenTCP"]>, address: string, port: number): void {
    if (typeof result === "object") {
      const error = listenError(result.errno, address, port);
      process.nextTick(() => this.emit("error", error));
      return;
    }
    this.#h = result;
    if (this.#unref) this.#binding.ref(result, false);
    process.nextTick(() => this.emit("listening"));
  }

  #onClosed(): void {
    this.#h = null;
    this.emit("close");
  }
}
