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
import { logPrefixOf } from "../logging-context.ts";
import { containResult } from "../protocol/contain.ts";
import { connectionDone } from "../protocol/protocol.ts";
import { addressFor, UNIXAddress } from "./address.ts";
import { UnsentDataDropped } from "./connection-loss.ts";
import {
  CLIENT_FLOW_CONTROL,
  type FlowControl,
  type FlowControlOptions,
  type IFlowControlledTransport,
  resolveFlowControl,
  SERVER_FLOW_CONTROL,
  UnsentDataLimitExceeded,
} from "./flow-control.ts";
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
const FLOW_PAUSED = 128; // reading stopped because the write buffer passed its high-water mark
const USER_PAUSED = 256; // pauseProducing called (and not resumed)
const DRAIN_LISTENED = 512; // the `drain` listener is attached

/**
 * Each transport's write callback, made the first time a write leaves the buffer past the
 * low-water mark (kept here, not in a field: most connections never need one).
 */
const afterWriteCallbacks = new WeakMap<TCPTransport, (error?: Error | null) => void>();

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
  /** Flow control over the role's defaults (server: reading pauses; client: it does not). */
  flowControl?: FlowControlOptions | undefined;
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
 * - Flow control ({@link FlowControlOptions}): with no producer registered, a server
 *   connection stops reading while its write buffer is past the high-water mark and resumes
 *   once it drained; any connection that queues more than `maxUnsent` is aborted with
 *   {@link UnsentDataLimitExceeded}.
 * - An exception thrown by the protocol or a producer, or a rejected promise returned by a
 *   protocol callback, is logged with the connection's log prefix and aborts this connection
 *   only (for `connectionLost`, it is logged).
 *
 * The socket is a {@link StreamSocket} (see there for the seam a native socket can fill).
 * Built by the reactor's ports and connectors, not by users.
 */
export class TCPTransport implements ITLSTransport, IFlowControlledTransport {
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
  /** Shared frozen settings (one of two defaults unless changed), so a connection pays one field. */
  #flow: FlowControl;

  /** @throws RangeError for invalid {@link TransportInit.flowControl}. */
  constructor(socket: StreamSocket, protocol: IProtocol, init: TransportInit) {
    this.#socket = socket;
    this.#protocol = protocol;
    this.#owner = init.owner;
    this.#peer = init.peer;
    this.#host = init.host;
    this.#sessionno = init.sessionno;
    this.#flow = resolveFlowControl(
      init.sessionno < 0 ? CLIENT_FLOW_CONTROL : SERVER_FLOW_CONTROL,
      init.flowControl,
    );
  }

  /**
   * Attach to the socket's events and call the protocol's `makeConnection`. With `lostTo` (the
   * socket already failed with it, `close` is coming), the protocol is connected and then told
   * the connection was lost.
   */
  start(lostTo?: Error): void {
    if (lostTo !== undefined) this.#reason = lostReason(lostTo);
    TCPTransport.#attach(this.#socket, this);
    this.#flags |= CONNECTED;
    try {
      const result = this.#protocol.makeConnection(this);
      if (result !== undefined)
        containResult(result, (e) => this.#callbackFailed(e, "connectionMade"));
    } catch (error) {
      this.#callbackFailed(error, "connectionMade");
    }
  }

  // --- socket events --------------------------------------------------------------------------

  static #attach(socket: Hosted, transport: TCPTransport): void {
    socket[kTransport] = transport;
    // A socket with a direct data path (native) calls #onData itself; one that supports
    // borrowed chunks hands them out to a protocol that consumes data during the call.
    if (typeof socket.setDataListener === "function")
      socket.setDataListener(
        TCPTransport.#onData,
        transport.#protocol.receivesBorrowedData === true,
      );
    else socket.on("data", TCPTransport.#onData);
    socket.on("end", TCPTransport.#onEnd);
    socket.on("error", TCPTransport.#onError);
    socket.on("close", TCPTransport.#onClose);
  }

  // The listeners are shared by every connection, so an idle one holds no closures: Node
  // calls them with the socket as `this`, and the socket carries its transport.

  static #onData(this: Hosted, chunk: Buffer): void {
    // biome-ignore lint/complexity/noThisInStatic: Node calls a listener with the socket as `this`
    const t = this[kTransport]!;
    if (t.#flags & DISCONNECTING) return; // Twisted stops reading once loseConnection was called
    try {
      const result = t.#protocol.dataReceived(chunk);
      if (result !== undefined) containResult(result, (e) => t.#callbackFailed(e, "dataReceived"));
    } catch (error) {
      t.#callbackFailed(error, "dataReceived");
    }
  }

  static #onEnd(this: Hosted): void {
    // biome-ignore lint/complexity/noThisInStatic: Node calls a listener with the socket as `this`
    this[kTransport]!.#readConnectionLost();
  }

  static #onError(this: Hosted, error: Error): void {
    // biome-ignore lint/complexity/noThisInStatic: Node calls a listener with the socket as `this`
    const t = this[kTransport];
    if (t !== undefined && t.#reason === null) t.#reason = lostReason(error);
  }

  static #onClose(this: Hosted): void {
    // biome-ignore lint/complexity/noThisInStatic: Node calls a listener with the socket as `this`
    this[kTransport]!.#socketClosed();
  }

  static #onDrain(this: Hosted): void {
    // biome-ignore lint/complexity/noThisInStatic: Node calls a listener with the socket as `this`
    this[kTransport]!.#drained();
  }

  static #onFinish(this: Hosted): void {
    // biome-ignore lint/complexity/noThisInStatic: Node calls a listener with the socket as `this`
    this[kTransport]!.#writeConnectionLost();
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
      const result: unknown = p.readConnectionLost();
      containResult(result, (e) => this.#callbackFailed(e, "readConnectionLost"));
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
      const result: unknown = p.writeConnectionLost();
      containResult(result, (e) => this.#callbackFailed(e, "writeConnectionLost"));
    } catch (error) {
      this.#callbackFailed(error, "writeConnectionLost");
    }
  }

  // --- ITransport ----------------------------------------------------------------------------

  /** Write `data` (strings as UTF-8). Dropped once the connection is closing for writes. */
  write(data: string | Uint8Array): void {
    if (this.#flags & WRITE_SHUT) return;
    const ok = this.#writeChunk(this.#socket, data);
    if (this.#producer !== null) this.#producer.wrote(ok);
    if (!ok) this.#bufferFull(); // `write` returns true below the socket's own mark (16 KiB)
  }

  /** Write every chunk with one system call (`writev`): the socket is corked around them. */
  writeSequence(data: ReadonlyArray<string | Uint8Array>): void {
    if (this.#flags & WRITE_SHUT) return;
    const s = this.#socket;
    s.cork();
    // Only the last chunk may need the low-water callback: it runs once all before it left too.
    const last = data.length - 1;
    for (let i = 0; i < last; i++) s.write(data[i]!);
    if (last >= 0) this.#writeChunk(s, data[last]!);
    s.uncork();
    const ok = !s.writableNeedDrain;
    if (this.#producer !== null) this.#producer.wrote(ok);
    if (!ok) this.#bufferFull(); // `write` returns true below the socket's own mark (16 KiB)
  }

  /**
   * Close after everything written so far has been sent; reading stops now. The protocol's
   * `connectionLost` gets `ConnectionDone`, or `reason` when given (Twisted's `_connDone`:
   * the idle timeouts pass `ConnectionTimedOut`). With a pull producer registered, the close
   * waits until it unregisters (as Twisted's).
   */
  loseConnection(reason?: Failure): void {
    if (this.#flags & DISCONNECTING) return;
    this.#flags |= DISCONNECTING;
    if (reason !== undefined && this.#reason === null) this.#reason = reason;
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
    const name = logPrefixOf(this.#protocol);
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
   * `key` and `cert`. Flow control carries over: the water marks stay, and reading paused by
   * flow control (or by `pauseProducing`) stays paused on the TLS socket until the plain-text
   * data queued before the switch has drained to the low-water mark.
   *
   * @throws Error if TLS was already started; NotConnectedError if the connection is closing.
   */
  startTLS(options: TLSOptions, server = false): void {
    if (this.isSecure) throw new Error("TLS is already started on this connection");
    if (this.#flags & WRITE_SHUT)
      throw new NotConnectedError("Cannot start TLS: the connection is closing");
    const plain = this.#socket;
    // A native socket hands its descriptor over to a net.Socket, which node:tls can wrap.
    const raw = (plain.handOver?.() ?? plain) as unknown as Socket;
    raw.removeListener("data", TCPTransport.#onData);
    raw.removeListener("end", TCPTransport.#onEnd);
    raw.removeListener("close", TCPTransport.#onClose);
    // While flow control holds reading, the plain socket's `drain` (and the callbacks of its
    // writes past the low-water mark) are what release it: its queue drains before TLS starts.
    if (!(this.#flags & FLOW_PAUSED)) raw.removeListener("drain", TCPTransport.#onDrain);
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
    if (this.#flags & DRAIN_LISTENED) this.#socket.on("drain", TCPTransport.#onDrain);
    // Reading stays as it was: the TLS socket would start flowing with its `data` listener.
    if (this.#flags & (FLOW_PAUSED | USER_PAUSED | DISCONNECTING)) this.#socket.pause();
    if (this.#flags & FLOW_PAUSED && plain.writableLength <= this.#flow.lowWaterMark)
      this.#flowResume(); // nothing left to wait for
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
    this.#listenDrain();
    slot.start();
  }

  /** Forget the producer; a `loseConnection` that was waiting for it proceeds. */
  unregisterProducer(): void {
    const slot = this.#producer;
    if (slot === null) return;
    slot.detach();
    this.#producer = null;
    if (!(this.#flags & FLOW_PAUSED)) this.#unlistenDrain();
    if (this.#flags & CLOSE_ON_UNREGISTER && !(this.#flags & CLOSED)) {
      this.#flags &= ~CLOSE_ON_UNREGISTER;
      this.#closeAfterFlush();
    }
  }

  // --- IPushProducer (for the protocol) ----------------------------------------------------------

  /** Stop reading: no `dataReceived` until {@link resumeProducing}. */
  pauseProducing(): void {
    this.#flags |= USER_PAUSED;
    this.#socket.pause();
  }

  /** Resume reading (unless flow control holds it until the write buffer drains). */
  resumeProducing(): void {
    this.#flags &= ~USER_PAUSED;
    if (!(this.#flags & (DISCONNECTING | FLOW_PAUSED))) this.#socket.resume();
  }

  // --- flow control -------------------------------------------------------------------------------

  /** The flow control in force (see {@link FlowControlOptions} for the defaults). */
  get flowControl(): FlowControl {
    return this.#flow;
  }

  /**
   * Change some flow-control settings; the others stay. Turning `pauseReading` off resumes a
   * connection that flow control had paused.
   *
   * @throws RangeError if a mark is negative or not a number, or `lowWaterMark > highWaterMark`.
   */
  setFlowControl(options: FlowControlOptions): void {
    this.#flow = resolveFlowControl(this.#flow, options);
    if (this.#flags & FLOW_PAUSED && !this.#flow.pauseReading) this.#flowResume();
    else if (this.#socket.writableLength > this.#flow.highWaterMark) this.#bufferFull();
  }

  /** A write left the buffer past the socket's or our high-water mark: enforce the ceiling, maybe pause. */
  #bufferFull(): void {
    const s = this.#socket;
    const queued = s.writableLength;
    const flow = this.#flow;
    if (queued > flow.maxUnsent) {
      if (this.#flags & CLOSED || this.#reason !== null) return;
      const error = new UnsentDataLimitExceeded(queued, flow.maxUnsent);
      log.failure("Aborting the connection: {error}", new Failure(error), {
        error: error.message,
        log_system: this.logPrefix(),
      });
      this.#reason = new Failure(error);
      this.#abort();
      return;
    }
    // Only pause when a `drain` is sure to follow (`writableNeedDrain`): a high-water mark set
    // below the socket's own is in effect raised to it.
    if (
      flow.pauseReading &&
      this.#producer === null &&
      queued > flow.highWaterMark &&
      s.writableNeedDrain &&
      !(this.#flags & (FLOW_PAUSED | DISCONNECTING))
    ) {
      this.#flags |= FLOW_PAUSED;
      s.pause();
      this.#listenDrain();
    }
  }

  /** `s.write(chunk)`, carrying {@link #afterWrite}'s callback when it leaves the buffer past the low-water mark. */
  #writeChunk(s: Hosted, chunk: string | Uint8Array): boolean {
    return s.writableLength + sizeOf(chunk) <= this.#flow.lowWaterMark
      ? s.write(chunk)
      : s.write(chunk, this.#afterWrite());
  }

  /**
   * The callback of writes that leave the buffer past the low-water mark: once such a chunk was
   * handed to the kernel, reading that flow control paused resumes if the buffer is down to the
   * mark. (`drain` alone comes only once the buffer is empty: `net.Socket` reports nothing in
   * between.) Writes below the mark carry no callback, so the common case costs nothing.
   */
  #afterWrite(): (error?: Error | null) => void {
    let callback = afterWriteCallbacks.get(this);
    if (callback === undefined) {
      callback = (error) => {
        if (
          !error &&
          this.#flags & FLOW_PAUSED &&
          this.#socket.writableLength <= this.#flow.lowWaterMark
        )
          this.#flowResume();
      };
      afterWriteCallbacks.set(this, callback);
    }
    return callback;
  }

  /** `drain`: tell the producer; resume reading that flow control paused. */
  #drained(): void {
    this.#producer?.drained();
    // Resume at the low-water mark; above it only if no further `drain` is due (a socket
    // that reports `drain` early would otherwise never be resumed).
    const s = this.#socket;
    if (
      this.#flags & FLOW_PAUSED &&
      (s.writableLength <= this.#flow.lowWaterMark || !s.writableNeedDrain)
    )
      this.#flowResume();
  }

  #flowResume(): void {
    this.#flags &= ~FLOW_PAUSED;
    if (this.#producer === null) this.#unlistenDrain();
    if (!(this.#flags & (DISCONNECTING | USER_PAUSED))) this.#socket.resume();
  }

  #listenDrain(): void {
    if (this.#flags & DRAIN_LISTENED) return;
    this.#flags |= DRAIN_LISTENED;
    this.#socket.on("drain", TCPTransport.#onDrain);
  }

  #unlistenDrain(): void {
    if (!(this.#flags & DRAIN_LISTENED)) return;
    this.#flags &= ~DRAIN_LISTENED;
    this.#socket.removeListener("drain", TCPTransport.#onDrain);
  }

  /** Close the connection (Twisted: `stopProducing` is `loseConnection`). */
  stopProducing(): void {
    this.loseConnection();
  }

  // --- internals ----------------------------------------------------------------------------------

  /**
   * @internal Close at reactor shutdown: now, reporting `ConnectionDone`; data not yet handed
   * to the kernel is dropped, and then the reason is {@link UnsentDataDropped}.
   */
  closeNow(): void {
    if (this.#flags & CLOSED) return;
    const unsent = this.#socket.writableLength;
    this.#reason ??= unsent > 0 ? new Failure(new UnsentDataDropped(unsent)) : connectionDone;
    this.#flags |= WRITE_SHUT;
    this.#socket.destroy();
    this.#socketClosed();
  }

  #end(): void {
    this.#flags |= WRITE_SHUT | END_CALLED;
    this.#socket.on("finish", TCPTransport.#onFinish);
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
      const result = this.#protocol.connectionLost(reason);
      if (result !== undefined) containResult(result, (e) => this.#logError(e, "connectionLost"));
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

/** At most the bytes `data` takes in the buffer (a string's length: at most its UTF-8 size). */
function sizeOf(data: string | Uint8Array): number {
  return typeof data === "string" ? data.length : data.byteLength;
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
