/**
 * {@link TCPTransport}: a connected stream socket (TCP, UNIX or TLS) as a Twisted transport.
 *
 * @module
 */
import type { Socket } from "node:net";
import * as tls from "node:tls";
import { ConnectionAborted, ConnectionLost, NotConnectedError } from "../errors.ts";
import { Failure } from "../failure.ts";
import type {
  IAddress,
  IHalfCloseableProtocol,
  IProtocol,
  IPullProducer,
  IPushProducer,
  ITLSTransport,
  TLSOptions,
} from "../interfaces.ts";
import { Logger } from "../logger/logger.ts";
import { connectionDone } from "../protocol/protocol.ts";
import { addressFor, UNIXAddress } from "./address.ts";
import { ProducerSlot } from "./producer.ts";
import { kTransport, type StreamSocket } from "./stream-socket.ts";
import { clientTLSOptions, isCertificateError, tlsConnectError } from "./tls.ts";

const log = new Logger("torsion.transport");

/** A socket carrying its transport for the shared listeners. */
type Hosted = StreamSocket & { [kTransport]?: TCPTransport };

// State bits, one small integer per connection instead of a field each (idle connections are
// what a server has most of).
const CONNECTED = 1;
const DISCONNECTING = 2; // loseConnection/abort called, or closed: no more dataReceived
const WRITE_SHUT = 4; // end() called, aborted or closed: writes are dropped
const END_CALLED = 8;
const CLOSED = 16;
const TLS = 32;
const CLOSE_ON_UNREGISTER = 64; // loseConnection waits for the pull producer

type Listener<A extends unknown[] = []> = (this: Hosted, ...args: A) => void;
let onData: Listener<[Buffer]>;
let onEnd: Listener;
let onError: Listener<[Error]>;
let onClose: Listener;
let onDrain: Listener;
let onFinish: Listener;

/** Told when a connection has closed (after the protocol's `connectionLost`). */
export interface ConnectionOwner {
  connectionClosed(transport: TCPTransport, reason: Failure): void;
}

/** What a transport needs to know about its connection besides the socket. */
export interface TransportInit {
  /** The remote address (already computed for `buildProtocol`). */
  peer: IAddress;
  /** The local address, when the socket cannot tell (UNIX sockets); otherwise asked lazily. */
  host?: IAddress | undefined;
  /** The server port's session number for this connection; `-1` for a client connection. */
  sessionno: number;
  /** Told when the connection closes. */
  owner: ConnectionOwner | null;
}

/**
 * A connected stream socket as an {@link ITLSTransport}: what a protocol's `this.transport`
 * is for TCP, UNIX and TLS connections (Twisted's `tcp.Connection`).
 *
 * - Writes go straight to the socket; `writeSequence` corks it so the chunks leave in one
 *   `writev`. Data written after `loseConnection` is dropped.
 * - `loseConnection` flushes, sends FIN and closes: the protocol sees `ConnectionDone`.
 *   `abortConnection` resets the connection now: `ConnectionAborted` (a `ConnectionLost`).
 *   A reset by the peer gives `ConnectionLost` with Node's error as `cause`.
 * - When the peer half-closes, a protocol with `readConnectionLost` ({@link IHalfCloseableProtocol})
 *   is told and may keep writing; any other protocol's connection is closed (after flushing).
 * - Consumer: a push producer is paused when `write` finds the buffer past its high-water mark
 *   and resumed on `drain`; a pull producer is asked for more whenever the buffer has room.
 * - Producer: `pauseProducing` stops reading from the socket, `resumeProducing` restarts it,
 *   `stopProducing` closes the connection.
 * - An exception thrown by the protocol or a producer is logged with the connection's log
 *   prefix and aborts this connection only.
 *
 * The socket is a {@link StreamSocket} (see there for the seam a native socket can fill).
 * Built by the reactor's ports and connectors, not by users.
 */
export class TCPTransport implements ITLSTransport {
  #socket: Hosted;
  readonly #protocol: IProtocol;
  readonly #owner: ConnectionOwner | null;
  readonly #peer: IAddress;
  #host: IAddress | undefined;
  readonly #sessionno: number;
  #flags = 0;
  /** Why the connection ends, once known: abort, a callback's exception, a socket error. */
  #reason: Failure | null = null;
  #producer: ProducerSlot | null = null;

  constructor(socket: StreamSocket, protocol: IProtocol, init: TransportInit) {
    this.#socket = socket;
    this.#protocol = protocol;
    this.#owner = init.owner;
    this.#peer = init.peer;
    this.#host = init.host;
    this.#sessionno = init.sessionno;
  }

  /** Attach to the socket's events and call the protocol's `makeConnection`. */
  start(): void {
    TCPTransport.#attach(this.#socket, this);
    this.#flags |= CONNECTED;
    try {
      this.#protocol.makeConnection(this);
    } catch (error) {
      this.#callbackFailed(error, "connectionMade");
    }
  }

  // --- socket events --------------------------------------------------------------------------

  static #attach(socket: Hosted, transport: TCPTransport): void {
    socket[kTransport] = transport;
    socket.on("data", onData);
    socket.on("end", onEnd);
    socket.on("error", onError);
    socket.on("close", onClose);
  }

  static {
    // The listeners are shared by every connection, so an idle one holds no closures: Node
    // calls them with the socket as `this`, and the socket carries its transport. They are
    // made here, inside the class, to reach its private state.
    onData = function (this: Hosted, chunk: Buffer): void {
      const t = this[kTransport]!;
      if (t.#flags & DISCONNECTING) return; // Twisted stops reading once loseConnection was called
      try {
        t.#protocol.dataReceived(chunk);
      } catch (error) {
        t.#callbackFailed(error, "dataReceived");
      }
    };
    onEnd = function (this: Hosted): void {
      this[kTransport]!.#readConnectionLost();
    };
    onError = function (this: Hosted, error: Error): void {
      const t = this[kTransport];
      if (t !== undefined && t.#reason === null) t.#reason = lostReason(error);
    };
    onClose = function (this: Hosted): void {
      this[kTransport]!.#socketClosed();
    };
    onDrain = function (this: Hosted): void {
      this[kTransport]!.#producer?.drained();
    };
    onFinish = function (this: Hosted): void {
      this[kTransport]!.#writeConnectionLost();
    };
  }

  /** The peer half-closed (FIN). */
  #readConnectionLost(): void {
    if (this.#flags & DISCONNECTING) return;
    const p = this.#protocol as Partial<IHalfCloseableProtocol>;
    if (typeof p.readConnectionLost !== "function") {
      this.#flags |= DISCONNECTING;
      this.#closeAfterFlush();
      return;
    }
    try {
      p.readConnectionLost();
    } catch (error) {
      this.#callbackFailed(error, "readConnectionLost");
    }
  }

  /** Our write side is shut down (`finish`): close now if closing, else tell a half-closeable protocol. */
  #writeConnectionLost(): void {
    if (this.#flags & DISCONNECTING) {
      this.#socket.destroy();
      return;
    }
    const p = this.#protocol as Partial<IHalfCloseableProtocol>;
    if (typeof p.writeConnectionLost !== "function") return;
    try {
      p.writeConnectionLost();
    } catch (error) {
      this.#callbackFailed(error, "writeConnectionLost");
    }
  }

  // --- ITransport ----------------------------------------------------------------------------

  /** Write `data` (strings as UTF-8). Dropped once the connection is closing for writes. */
  write(data: string | Uint8Array): void {
    if (this.#flags & WRITE_SHUT) return;
    const ok = this.#socket.write(data);
    if (this.#producer !== null) this.#producer.wrote(ok);
  }

  /** Write every chunk with one system call (`writev`): the socket is corked around them. */
  writeSequence(data: ReadonlyArray<string | Uint8Array>): void {
    if (this.#flags & WRITE_SHUT) return;
    const s = this.#socket;
    s.cork();
    for (let i = 0; i < data.length; i++) s.write(data[i]!);
    s.uncork();
    if (this.#producer !== null) this.#producer.wrote(!s.writableNeedDrain);
  }

  /**
   * Close after everything written so far has been sent; reading stops now. The protocol's
   * `connectionLost` gets `ConnectionDone`. With a pull producer registered, the close waits
   * until it unregisters (as Twisted's).
   */
  loseConnection(): void {
    if (this.#flags & DISCONNECTING) return;
    this.#flags |= DISCONNECTING;
    this.#socket.pause();
    if (this.#producer !== null && !this.#producer.streaming) this.#flags |= CLOSE_ON_UNREGISTER;
    else this.#closeAfterFlush();
  }

  /** Close now, discarding unsent data; the peer sees a reset. `connectionLost` gets `ConnectionAborted`. */
  abortConnection(): void {
    if (this.#flags & CLOSED || this.#reason !== null) return;
    this.#reason = new Failure(new ConnectionAborted());
    this.#abort();
  }

  /** Half-close: send FIN once the buffer is flushed and keep reading. A half-closeable protocol then gets `writeConnectionLost`. */
  loseWriteConnection(): void {
    if (!(this.#flags & WRITE_SHUT)) this.#end();
  }

  /** The remote address: {@link IPv4Address}, {@link IPv6Address} or {@link UNIXAddress}. */
  getPeer(): IAddress {
    return this.#peer;
  }

  /** The local address. */
  getHost(): IAddress {
    if (this.#host === undefined) {
      const a = this.#socket.address() as { address?: string; port?: number; family?: string };
      this.#host =
        a.address === undefined
          ? new UNIXAddress(null)
          : addressFor("TCP", a.address, a.port, a.family);
    }
    return this.#host;
  }

  /** Disable (`true`) or enable Nagle's algorithm. */
  setTcpNoDelay(enabled: boolean): void {
    this.#socket.setNoDelay(enabled);
  }

  /** Turn keep-alive probes on or off; the first probe after `initialDelaySeconds` idle (the system default if omitted). */
  setTcpKeepAlive(enabled: boolean, initialDelaySeconds?: number): void {
    this.#socket.setKeepAlive(
      enabled,
      initialDelaySeconds === undefined ? undefined : initialDelaySeconds * 1000,
    );
  }

  /** `true` once the connection is closing or closed. */
  get disconnecting(): boolean {
    return (this.#flags & DISCONNECTING) !== 0;
  }

  /** `true` from `makeConnection` until the connection closes. */
  get connected(): boolean {
    return (this.#flags & (CONNECTED | CLOSED)) === CONNECTED;
  }

  /** Bytes written but not yet handed to the kernel (bounded when writes come from a producer). */
  get writeBufferSize(): number {
    return this.#socket.writableLength;
  }

  /** Whether the connection runs over TLS (from the start or after {@link startTLS}). */
  get isSecure(): boolean {
    return (
      (this.#flags & TLS) !== 0 || (this.#socket as { encrypted?: boolean }).encrypted === true
    );
  }

  /** Twisted's log prefix: `Protocol,sessionno,peerhost` for a server connection, `Protocol,client` for a client. */
  logPrefix(): string {
    const p = this.#protocol as { logPrefix?: () => string };
    const name = typeof p.logPrefix === "function" ? p.logPrefix() : p.constructor.name;
    if (this.#sessionno < 0) return `${name},client`;
    const peer = this.#peer as { host?: string; name?: string | null };
    return `${name},${this.#sessionno},${peer.host ?? peer.name ?? ""}`;
  }

  // --- ITLSTransport ----------------------------------------------------------------------------

  /**
   * Switch this connection to TLS (STARTTLS): everything written from now on is encrypted.
   * As a client (the default) the server's certificate and host name are verified unless
   * `options.rejectUnauthorized` is `false`; a failure closes the connection and
   * `connectionLost` gets `CertificateError`. As a server (`server` true) `options` must hold
   * `key` and `cert`.
   *
   * @throws Error if TLS was already started; NotConnectedError if the connection is closing.
   */
  startTLS(options: TLSOptions, server = false): void {
    if (this.isSecure) throw new Error("TLS is already started on this connection");
    if (this.#flags & WRITE_SHUT)
      throw new NotConnectedError("Cannot start TLS: the connection is closing");
    // A native socket hands its descriptor over to a net.Socket, which node:tls can wrap.
    const raw = (this.#socket.handOver?.() ?? this.#socket) as unknown as Socket;
    raw.removeListener("data", onData);
    raw.removeListener("end", onEnd);
    raw.removeListener("close", onClose);
    raw.removeListener("drain", onDrain);
    // `error` stays on the plain socket: an error nobody listens to would crash the process.
    const secure = server
      ? new tls.TLSSocket(raw, { ...(options as tls.TLSSocketOptions), isServer: true })
      : tls.connect({
          ...clientTLSOptions(options, (this.#peer as { host?: string }).host ?? "localhost"),
          socket: raw,
        });
    this.#flags |= TLS;
    this.#socket = secure as unknown as Hosted;
    TCPTransport.#attach(this.#socket, this);
    if (this.#producer !== null) this.#socket.on("drain", onDrain);
  }

  // --- IConsumer --------------------------------------------------------------------------------

  /**
   * Register a producer: a push producer (`streaming` true) is paused while the write buffer
   * is past its high-water mark; a pull producer is asked for a chunk now and whenever the
   * buffer has room again. On a closed connection the producer is stopped at once.
   *
   * @throws Error if a producer is already registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#producer !== null) {
      const old = String(this.#producer.producer);
      throw new Error(
        `Cannot register producer ${String(producer)}, because producer ${old} was never unregistered.`,
      );
    }
    if (this.#flags & WRITE_SHUT) {
      producer.stopProducing();
      return;
    }
    const slot = new ProducerSlot(producer, streaming, {
      needsDrain: () => this.#socket.writableNeedDrain,
      failed: (error, callback) => this.#callbackFailed(error, callback),
    });
    this.#producer = slot;
    this.#socket.on("drain", onDrain);
    slot.start();
  }

  /** Forget the producer; a `loseConnection` that was waiting for it proceeds. */
  unregisterProducer(): void {
    const slot = this.#producer;
    if (slot === null) return;
    slot.detach();
    this.#producer = null;
    this.#socket.removeListener("drain", onDrain);
    if (this.#flags & CLOSE_ON_UNREGISTER && !(this.#flags & CLOSED)) {
      this.#flags &= ~CLOSE_ON_UNREGISTER;
      this.#closeAfterFlush();
    }
  }

  // --- IPushProducer (for the protocol) ----------------------------------------------------------

  /** Stop reading: no `dataReceived` until {@link resumeProducing}. */
  pauseProducing(): void {
    this.#socket.pause();
  }

  /** Resume reading. */
  resumeProducing(): void {
    if (!(this.#flags & DISCONNECTING)) this.#socket.resume();
  }

  /** Close the connection (Twisted: `stopProducing` is `loseConnection`). */
  stopProducing(): void {
    this.loseConnection();
  }

  // --- internals ----------------------------------------------------------------------------------

  /** @internal Close at reactor shutdown: now, reporting `ConnectionDone`; data not yet handed to the kernel is dropped. */
  closeNow(): void {
    if (this.#flags & CLOSED) return;
    this.#reason ??= connectionDone;
    this.#flags |= WRITE_SHUT;
    this.#socket.destroy();
    this.#socketClosed();
  }

  #end(): void {
    this.#flags |= WRITE_SHUT | END_CALLED;
    this.#socket.on("finish", onFinish);
    this.#socket.end();
  }

  #closeAfterFlush(): void {
    if (!(this.#flags & END_CALLED)) this.#end();
    else if (this.#socket.writableFinished) this.#socket.destroy();
    // else: the `finish` listener destroys the socket, as DISCONNECTING is now set.
  }

  #abort(): void {
    this.#flags |= DISCONNECTING | WRITE_SHUT;
    const s = this.#socket;
    // After end() libuv refuses to reset (uv_tcp_close_reset fails once uv_shutdown was
    // called) and Node then never emits `close`: the connection would hang open, so close
    // plainly instead.
    if (!(this.#flags & END_CALLED) && typeof s.resetAndDestroy === "function") {
      try {
        s.resetAndDestroy();
        return;
      } catch {
        // Not a TCP handle (TLS, UNIX): a plain close.
      }
    }
    s.destroy();
  }

  #socketClosed(): void {
    if (this.#flags & CLOSED) return;
    this.#flags |= CLOSED | DISCONNECTING | WRITE_SHUT;
    const reason = this.#reason ?? connectionDone;
    const slot = this.#producer;
    if (slot !== null) {
      slot.detach();
      this.#producer = null;
      try {
        slot.producer.stopProducing();
      } catch (error) {
        this.#logError(error, "stopProducing");
      }
    }
    try {
      this.#protocol.connectionLost(reason);
    } catch (error) {
      this.#logError(error, "connectionLost");
    }
    this.#owner?.connectionClosed(this, reason);
  }

  #callbackFailed(error: unknown, callback: string): void {
    this.#logError(error, callback);
    if (this.#flags & CLOSED || this.#reason !== null) return;
    const message = `Connection aborted: ${callback} threw ${Failure.from(error).getErrorMessage()}`;
    this.#reason = new Failure(new ConnectionAborted(message, { cause: error }));
    this.#abort();
  }

  #logError(error: unknown, callback: string): void {
    log.failure("Unhandled error in {callback}", Failure.from(error), {
      callback,
      log_system: this.logPrefix(),
    });
  }
}

/** The reason for a connection that ended with a socket error. */
function lostReason(error: Error): Failure {
  if (isCertificateError(error)) return new Failure(tlsConnectError(error));
  return new Failure(
    new ConnectionLost(
      `Connection to the other side was lost in a non-clean fashion: ${error.message}`,
      { cause: error },
    ),
  );
}
