/**
 * The contracts between Torsion's parts, with Twisted's names (`twisted.internet.interfaces`).
 * Types only: nothing here exists at run time. Base classes with no-op defaults live beside
 * their concept ({@link Protocol}, {@link Factory}).
 *
 * @module
 */
import type { Deferred } from "./deferred/deferred.ts";
import type { Failure } from "./failure.ts";
import type { IDelayedCall, IReactorTime } from "./time.ts";
import type { IAddress } from "./transport/address.ts";

// --- Addresses and logging context ---------------------------------------------------------

// IAddress, a union of the address classes, lives beside them in transport/address.ts.
export type { IAddress };

/**
 * Something that names itself in log lines (Twisted's `ILoggingContext`): protocols,
 * factories and transports. Read it with {@link logPrefixOf}, which falls back to the class name.
 */
export interface ILoggingContext {
  /** A short name for log lines, e.g. `Echo` or `Echo,3,127.0.0.1`. */
  logPrefix(): string;
}

// --- Time --------------------------------------------------------------------------------

// IReactorTime and IDelayedCall live in time.ts, which imports nothing, so that Deferred
// (whose addTimeout takes a clock) does not import this file, which names Deferred.
export type { IDelayedCall, IReactorTime };

/** The phases of a system event: `before` triggers may return a Deferred/promise that holds the event. */
export type SystemEventPhase = "before" | "during" | "after";
/** The system events: `startup` (in `run()`) and `shutdown` (in `stop()`). */
export type SystemEvent = "startup" | "shutdown";

/** Starting and stopping the reactor, and hooking into both (Twisted's `IReactorCore`). */
export interface IReactorCore {
  /** `true` between the end of startup and the start of shutdown. */
  readonly running: boolean;
  /**
   * Run the event loop. Resolves once `stop()` was called and every shutdown trigger ran.
   * SIGINT and SIGTERM call `stop()` while running.
   */
  run(): Promise<void>;
  /** Begin shutdown. Throws `ReactorNotRunning` if the reactor is not running. */
  stop(): void;
  /** Call `fn(...args)` once the reactor is running (now, if it already is). */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): unknown;
  /**
   * Add a trigger for `phase` of `event`. A `before` trigger that returns a Deferred or a
   * promise holds the event until it settles. Returns an id for {@link removeSystemEventTrigger}.
   */
  addSystemEventTrigger<A extends unknown[]>(
    phase: SystemEventPhase,
    event: SystemEvent,
    fn: (...args: A) => unknown,
    ...args: A
  ): unknown;
  /** Remove a trigger by the id {@link addSystemEventTrigger} returned. */
  removeSystemEventTrigger(id: unknown): void;
  /** Fire the `before`, `during` and `after` triggers of `event` in order. */
  fireSystemEvent(event: SystemEvent): Deferred<void>;
}

// --- Producers and consumers ---------------------------------------------------------

/** Anything that can be told to stop producing data for good. */
export interface IProducer {
  /** Stop producing data; no further writes happen. */
  stopProducing(): void;
}

/** A producer that writes whenever it likes until it is paused (Twisted's `IPushProducer`). */
export interface IPushProducer extends IProducer {
  /** Stop writing until {@link resumeProducing} (the consumer's buffer is full). */
  pauseProducing(): void;
  /** Writing may continue. */
  resumeProducing(): void;
}

/** A producer that writes one chunk each time it is asked (Twisted's `IPullProducer`). */
export interface IPullProducer extends IProducer {
  /** Write one more chunk to the consumer. */
  resumeProducing(): void;
}

/** Something that accepts writes and throttles a registered producer (Twisted's `IConsumer`). */
export interface IConsumer {
  /**
   * Register a producer. With `streaming` true it is an {@link IPushProducer}, paused when the
   * consumer's buffer passes its high-water mark and resumed on drain; with `false` it is an
   * {@link IPullProducer}, asked for one more chunk each time the buffer drains.
   * Throws if a producer is already registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void;
  /** Forget the registered producer. */
  unregisterProducer(): void;
  /** Write data. Strings are encoded as UTF-8. */
  write(data: string | Uint8Array): void;
}

// --- Transports ------------------------------------------------------------------------

/** One end of a byte stream, given to a protocol by `makeConnection` (Twisted's `ITransport`). */
export interface ITransport {
  /** Write data (strings as UTF-8). Never blocks; data is buffered until the peer takes it. */
  write(data: string | Uint8Array): void;
  /** Write several buffers at once, in one system call where the platform allows. */
  writeSequence(data: ReadonlyArray<string | Uint8Array>): void;
  /** Close the connection after all buffered data has been written. */
  loseConnection(): void;
  /** The remote address. */
  getPeer(): IAddress;
  /** The local address. */
  getHost(): IAddress;
}

/** A transport that can also close immediately and throttle its producers. */
export interface ITCPTransport extends ITransport, IConsumer, IPushProducer {
  /** Close now, discarding buffered data; the peer sees a reset. */
  abortConnection(): void;
  /** Half-close: send FIN after buffered data, keep reading. */
  loseWriteConnection(): void;
  /** Turn Nagle's algorithm off (`true`) or on. */
  setTcpNoDelay(enabled: boolean): void;
  /** Turn TCP keep-alive probes on or off. */
  setTcpKeepAlive(enabled: boolean, initialDelaySeconds?: number): void;
  /** `true` once `loseConnection`/`abortConnection` was called or the connection closed. */
  readonly disconnecting: boolean;
  /** `true` while the connection is open. */
  readonly connected: boolean;
}

// --- Protocols and factories -------------------------------------------------------------

/**
 * A stream protocol: receives bytes from one connection and writes replies to its transport.
 *
 * Calls, in order, exactly once each except `dataReceived`:
 *
 *     makeConnection → connectionMade → dataReceived* → connectionLost
 *
 * No callback runs after `connectionLost`. Extend {@link Protocol} for no-op defaults.
 */
export interface IProtocol {
  // Call order: makeConnection -> connectionMade [-> dataReceived*] -> connectionLost.
  // Each callback may be `async`: a rejected promise (or failed Deferred) is handled as a
  // thrown exception (logged with the connection's prefix, that connection aborted; for
  // connectionLost, logged).
  /** Attach the transport, then call {@link IProtocol.connectionMade}. Called by the transport, not by you. */
  makeConnection(transport: ITransport): void | PromiseLike<void>;
  /** The connection is up; send any greeting here. */
  connectionMade(): void | PromiseLike<void>;
  /** Bytes arrived: a chunk of any length (a message may be split or several may arrive in one). */
  dataReceived(data: Buffer): void | PromiseLike<void>;
  /** The connection is closed: `ConnectionDone` (clean) or `ConnectionLost` (anything else). */
  connectionLost(reason: Failure): void | PromiseLike<void>;
  /**
   * Opt in to borrowed data (read once, when the connection starts): `true` declares that
   * {@link IProtocol.dataReceived} consumes each Buffer during the call. The Buffer is then
   * valid only during that call (a transport may read the next chunk into the same memory):
   * the protocol keeps no reference to it, nor to a `subarray` of it, and copies what it
   * keeps. Writing it to this protocol's own transport is fine (the transport copies what it
   * cannot send at once); handing it to anything else that may hold it (another connection,
   * a stream, a promise) is not. In return a transport that supports it (`@torsion/native`)
   * reads into one reused buffer: no allocation per read. Without it (the default), every
   * Buffer is the protocol's to keep. The portable transport always hands out owned Buffers.
   */
  readonly receivesBorrowedData?: boolean;
}

/** A protocol that wants to hear about each half of the connection closing (TCP half-close). */
export interface IHalfCloseableProtocol {
  /** The peer will send no more data (FIN received); we may still write. */
  readConnectionLost(): void | PromiseLike<void>;
  /** Our side of the connection was closed for writing (after `loseWriteConnection`). */
  writeConnectionLost(): void | PromiseLike<void>;
}

/** Makes one protocol per connection (Twisted's `IProtocolFactory`). */
export interface IProtocolFactory {
  /**
   * Return a protocol for a connection from/to `addr`, or `null` to refuse the connection.
   * Synchronous, as in Twisted, so that wrapping factories can wrap what it returns; a server
   * port also accepts a promise of the protocol at run time (a JavaScript `async
   * buildProtocol`): it holds the socket's reading until the promise settles, and a rejection
   * is handled as a thrown exception (logged, that connection closed).
   */
  buildProtocol(addr: IAddress): IProtocol | null;
  /** Called when the first port or connector starts using this factory. */
  doStart(): void;
  /** Called when the last port or connector stops using this factory. */
  doStop(): void;
}

// --- Ports, connectors, endpoints -------------------------------------------------------

/** A listening socket (Twisted's `IListeningPort`). `await using port = …` stops it on scope exit. */
export interface IListeningPort extends AsyncDisposable {
  /** The address being listened on (with the real port when 0 was asked for). */
  getHost(): IAddress;
  /** Stop accepting connections. Fires once the socket is closed. */
  stopListening(): Deferred<void>;
}

/** A client connection attempt that can be retried (Twisted's `IConnector`). */
export interface IConnector {
  /** Abort the attempt in progress (the factory sees `clientConnectionFailed` with `UserError`). */
  stopConnecting(): void;
  /** Close the connection, or stop connecting if not connected yet. */
  disconnect(): void;
  /** Try again (used by `ReconnectingClientFactory`). */
  connect(): void;
  /** The address being connected to. */
  getDestination(): IAddress;
}

/** Where a server listens, independent of the transport (Twisted's `IStreamServerEndpoint`). */
export interface IStreamServerEndpoint {
  /** Listen with `factory`. Fires with the port, or fails with `CannotListenError`. Never throws. */
  listen(factory: IProtocolFactory): Deferred<IListeningPort>;
}

/** Where a client connects to, independent of the transport (Twisted's `IStreamClientEndpoint`). */
export interface IStreamClientEndpoint {
  /**
   * Connect with `factory`. Fires with the connected protocol, or fails with
   * `ConnectError` (or a subclass such as `ConnectionRefusedError`). Never throws.
   */
  connect(factory: IProtocolFactory): Deferred<IProtocol>;
}

// --- Reactor network interfaces ------------------------------------------------------------

/** Options for {@link IReactorTCP.listenTCP}. */
export interface ListenTCPOptions {
  /** Pending-connection queue length; default 511 (Node's and nginx's; Twisted's is 50). */
  backlog?: number | undefined;
  /** The address to bind; default `""` (all IPv4 interfaces, `0.0.0.0`). Use `"::"` for IPv6. */
  interface?: string;
}

/** Options for {@link IReactorTCP.connectTCP}. */
export interface ConnectTCPOptions {
  /** Seconds to wait for the connection before failing with `TimeoutError`; default 30. */
  timeout?: number;
  /** Local `[host, port]` (or host) to bind before connecting. */
  bindAddress?: string | readonly [string, number];
  /**
   * When `host` is a name with both IPv6 and IPv4 addresses, try them in parallel and keep the
   * first to connect (RFC 8305 "happy eyeballs", Node's `net.connect({ autoSelectFamily })`).
   * Unset means Node's default (`net.getDefaultAutoSelectFamily()`, `true` since Node 20).
   * `HostnameEndpoint` sets it to `true`.
   */
  autoSelectFamily?: boolean;
}

/** TCP for the reactor (Twisted's `IReactorTCP`). */
export interface IReactorTCP {
  /**
   * Listen on `port` (0 picks a free one). Unlike Twisted, binding is asynchronous in Node, so
   * this returns a Deferred: it fires with the port once it is listening, or fails with
   * `CannotListenError` ("Couldn't listen on 127.0.0.1:8007: Address already in use").
   */
  listenTCP(
    port: number,
    factory: IProtocolFactory,
    options?: ListenTCPOptions,
  ): Deferred<IListeningPort>;
  /** Connect to `host:port`, reporting to the `ClientFactory`'s callbacks. */
  connectTCP(
    host: string,
    port: number,
    factory: IProtocolFactory,
    options?: ConnectTCPOptions,
  ): IConnector;
}

/** Options for {@link IReactorUNIX.listenUNIX}. */
export interface ListenUNIXOptions {
  backlog?: number | undefined;
  /** File mode of the socket file, e.g. `0o666` (Twisted's default). */
  mode?: number;
  /** Take a lock file (`<path>.lock`) and remove a stale socket file left by a dead process. */
  wantPID?: boolean;
}

/** Options for {@link IReactorUNIX.connectUNIX}. */
export interface ConnectUNIXOptions {
  timeout?: number;
  checkPID?: boolean;
}

/** UNIX-domain stream sockets (Twisted's `IReactorUNIX`). */
export interface IReactorUNIX {
  /** Listen on a UNIX socket file. Fires with the port, or fails with `CannotListenError`. */
  listenUNIX(
    path: string,
    factory: IProtocolFactory,
    options?: ListenUNIXOptions,
  ): Deferred<IListeningPort>;
  connectUNIX(path: string, factory: IProtocolFactory, options?: ConnectUNIXOptions): IConnector;
}

/** A UDP socket given to a {@link IDatagramProtocol} (Twisted's `IUDPTransport`). */
export interface IUDPTransport {
  /** Send one datagram to `addr` (or to the connected peer when omitted). */
  write(data: string | Uint8Array, addr?: readonly [string, number]): void;
  /** Restrict to one peer: later `write`s may omit the address; other senders are ignored. */
  connect(host: string, port: number): void;
  /** The local address. */
  getHost(): IAddress;
  /** Close the socket. */
  stopListening(): Deferred<void>;
  /** Alias of {@link stopListening}. */
  loseConnection(): void;
}

/** A datagram (UDP) protocol (Twisted's `DatagramProtocol`). */
export interface IDatagramProtocol {
  /** Attach the transport, then call `startProtocol`. */
  makeConnection(transport: IUDPTransport): void;
  /** The socket is bound. */
  startProtocol(): void;
  /** The socket was closed. */
  stopProtocol(): void;
  /** One datagram arrived from `addr` (`[host, port]`). */
  datagramReceived(data: Buffer, addr: readonly [string, number]): void | PromiseLike<void>;
  /** A previous write to a connected peer was refused (ICMP port unreachable). */
  connectionRefused(): void;
}

/** Options for {@link IReactorUDP.listenUDP}. */
export interface ListenUDPOptions {
  /** The address to bind; default `""` (all IPv4 interfaces). `"::"` binds IPv6. */
  interface?: string;
  /** Largest datagram accepted; larger ones are dropped. Default 8192, as Twisted. */
  maxPacketSize?: number;
}

/** UDP for the reactor (Twisted's `IReactorUDP`). */
export interface IReactorUDP {
  /** Bind a UDP socket. Fires with the port once bound, or fails with `CannotListenError`. */
  listenUDP(
    port: number,
    protocol: IDatagramProtocol,
    options?: ListenUDPOptions,
  ): Deferred<IListeningPort>;
}

/** TLS settings for servers and clients; the fields of Node's `tls` options that Torsion passes through. */
export interface TLSOptions {
  key?: string | Buffer;
  cert?: string | Buffer;
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client side: verify the server's certificate (default `true`). */
  rejectUnauthorized?: boolean;
  /** Client side: the host name to check the certificate against and to send as SNI. */
  servername?: string;
  /** Server side: ask clients for a certificate. */
  requestCert?: boolean;
  /** Any other `node:tls` option. */
  [option: string]: unknown;
}

/** TLS for the reactor (Twisted's `IReactorSSL`). The client verifies certificate and host name by default. */
export interface IReactorSSL {
  listenSSL(
    port: number,
    factory: IProtocolFactory,
    contextFactory: TLSOptions,
    options?: ListenTCPOptions,
  ): Deferred<IListeningPort>;
  connectSSL(
    host: string,
    port: number,
    factory: IProtocolFactory,
    contextFactory: TLSOptions,
    options?: ConnectTCPOptions,
  ): IConnector;
}

/** A transport that can switch to TLS mid-connection (STARTTLS; Twisted's `ITLSTransport`). */
export interface ITLSTransport extends ITCPTransport {
  /** Upgrade this connection to TLS; data written after this call is encrypted. */
  startTLS(options: TLSOptions, server?: boolean): void;
}

/** Everything the default reactor provides. */
export interface IReactor
  extends IReactorTime,
    IReactorCore,
    IReactorTCP,
    IReactorUNIX,
    IReactorUDP,
    IReactorSSL {}

// --- Adopting sockets -------------------------------------------------------------------

/** The address family of an adopted socket, as systemd descriptions name it (without `AF_`). */
export type AddressFamily = "INET" | "INET6" | "UNIX";

/**
 * A reactor that can listen on a socket opened elsewhere (Twisted's `IReactorSocket`).
 * @experimental Proposed for the reactor; see `AdoptedStreamServerEndpoint`.
 */
export interface IReactorSocket {
  /**
   * Listen on `fd`, an already bound and listening stream socket of `addressFamily` (Node:
   * `net.Server.listen({ fd })`). Fires with the port, or fails with `CannotListenError`.
   */
  adoptStreamPort(
    fd: number,
    addressFamily: AddressFamily,
    factory: IProtocolFactory,
  ): Deferred<IListeningPort>;
}
