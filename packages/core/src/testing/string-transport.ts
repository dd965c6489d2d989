/**
 * In-memory transports that record what a protocol does to them, after Twisted's
 * `twisted.internet.testing.StringTransport`.
 *
 * @module
 */

import type { Deferred } from "../deferred/deferred.ts";
import { succeed } from "../deferred/helpers.ts";
import { ConnectionAborted, ConnectionDone } from "../errors.ts";
import { Failure } from "../failure.ts";
import type {
  IAddress,
  IProtocol,
  IPullProducer,
  IPushProducer,
  ITCPTransport,
  IUDPTransport,
} from "../interfaces.ts";
import { IPv4Address } from "../transport/address.ts";

/** Options for {@link StringTransport}. */
export interface StringTransportOptions {
  /** What `getHost()` returns; default `IPv4Address("TCP", "10.0.0.1", 12345)`, as Twisted. */
  hostAddress?: IAddress;
  /** What `getPeer()` returns; default `IPv4Address("TCP", "192.168.1.1", 54321)`, as Twisted. */
  peerAddress?: IAddress;
  /**
   * Allow `pauseProducing`/`resumeProducing` after `loseConnection` (by default they throw, so
   * code that expects more data from a closing connection is caught).
   */
  lenient?: boolean;
}

/** The state of a {@link StringTransport} in its role as a push producer. */
export type ProducerState = "producing" | "paused" | "stopped";

function toBuffer(data: string | Uint8Array): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * A transport that keeps everything written to it in memory and records every other call,
 * without doing anything: nothing is sent, nothing closes. Feed the protocol with
 * `protocol.dataReceived(...)` and read its output with {@link StringTransport.value}.
 *
 * The fields beyond {@link ITCPTransport} (`aborted`, `producer`, `producerState`, …) are for
 * tests only; real transports do not have them.
 *
 * ```ts
 * const transport = new StringTransport();
 * const proto = new Echo();
 * proto.makeConnection(transport);
 * proto.dataReceived(Buffer.from("hi"));
 * expect(transport.value().toString()).toBe("hi");
 * ```
 */
export class StringTransport implements ITCPTransport {
  /** `true` once `loseConnection` (or `abortConnection`) was called. */
  disconnecting = false;
  /** `true`: nothing ever disconnects a plain StringTransport. */
  connected = true;
  /** `true` once `abortConnection` was called. */
  aborted = false;
  /** `true` once `loseWriteConnection` was called. */
  writeConnectionLost = false;
  /** The last value given to `setTcpNoDelay` (default `false`). */
  tcpNoDelay = false;
  /** The last value given to `setTcpKeepAlive` (default `false`). */
  tcpKeepAlive = false;
  /** The registered producer, or `null`. */
  producer: IPushProducer | IPullProducer | null = null;
  /** The `streaming` flag it was registered with, or `null` when none is registered. */
  streaming: boolean | null = null;
  /** This transport's own state as a push producer (reading): paused, resumed or stopped. */
  producerState: ProducerState = "producing";
  /** What `getHost()` returns. */
  hostAddress: IAddress;
  /** What `getPeer()` returns. */
  peerAddress: IAddress;
  readonly #lenient: boolean;
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(options: StringTransportOptions = {}) {
    this.hostAddress = options.hostAddress ?? new IPv4Address("TCP", "10.0.0.1", 12345);
    this.peerAddress = options.peerAddress ?? new IPv4Address("TCP", "192.168.1.1", 54321);
    this.#lenient = options.lenient ?? false;
  }

  /** Everything written since the last {@link StringTransport.clear}, as one Buffer (a copy). */
  value(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks, this.#size)];
    return Buffer.from(this.#chunks[0] ?? Buffer.alloc(0));
  }

  /** Forget what was written so far. */
  clear(): void {
    this.#chunks = [];
    this.#size = 0;
  }

  /** Record `data` (strings as UTF-8). Writes after `loseConnection` are recorded too. */
  write(data: string | Uint8Array): void {
    // Copy: the caller may reuse its buffer after write returns, as it may with a real transport.
    const b = Buffer.from(toBuffer(data));
    this.#chunks.push(b);
    this.#size += b.length;
  }

  /** Record each item in order. */
  writeSequence(data: ReadonlyArray<string | Uint8Array>): void {
    for (const d of data) this.write(d);
  }

  /** Set {@link StringTransport.disconnecting}; nothing else happens. */
  loseConnection(): void {
    this.disconnecting = true;
  }

  /** Set {@link StringTransport.aborted} and {@link StringTransport.disconnecting}. */
  abortConnection(): void {
    this.aborted = true;
    this.loseConnection();
  }

  /** Set {@link StringTransport.writeConnectionLost}. */
  loseWriteConnection(): void {
    this.writeConnectionLost = true;
  }

  getPeer(): IAddress {
    return this.peerAddress;
  }

  getHost(): IAddress {
    return this.hostAddress;
  }

  /** Record `enabled` in {@link StringTransport.tcpNoDelay}. */
  setTcpNoDelay(enabled: boolean): void {
    this.tcpNoDelay = enabled;
  }

  /** Record `enabled` in {@link StringTransport.tcpKeepAlive}. */
  setTcpKeepAlive(enabled: boolean, _initialDelaySeconds?: number): void {
    this.tcpKeepAlive = enabled;
  }

  /**
   * Record the producer. Unlike a real transport, a pull producer is not asked for data:
   * call its `resumeProducing()` from the test.
   *
   * @throws Error if a producer is already registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== null) throw new Error("Cannot register two producers");
    this.producer = producer;
    this.streaming = streaming;
  }

  /**
   * Forget the producer.
   *
   * @throws Error if none is registered.
   */
  unregisterProducer(): void {
    if (this.producer === null)
      throw new Error("Cannot unregister a producer unless one is registered");
    this.producer = null;
    this.streaming = null;
  }

  /**
   * Set {@link StringTransport.producerState} to `"paused"`.
   *
   * @throws Error after `loseConnection` (unless lenient) or `stopProducing`.
   */
  pauseProducing(): void {
    this.#checkState();
    this.producerState = "paused";
  }

  /**
   * Set {@link StringTransport.producerState} to `"producing"`.
   *
   * @throws Error after `loseConnection` (unless lenient) or `stopProducing`.
   */
  resumeProducing(): void {
    this.#checkState();
    this.producerState = "producing";
  }

  /** Set {@link StringTransport.producerState} to `"stopped"`. */
  stopProducing(): void {
    this.producerState = "stopped";
  }

  #checkState(): void {
    if (this.disconnecting && !this.#lenient)
      throw new Error("Cannot resume producing after loseConnection");
    if (this.producerState === "stopped") throw new Error("Cannot resume a stopped producer");
  }
}

/**
 * A {@link StringTransport} that tells its protocol when it closes: the first
 * `loseConnection` calls `protocol.connectionLost` with {@link ConnectionDone}, and
 * `abortConnection` with {@link ConnectionAborted} (a {@link @torsion/core!ConnectionLost}; Twisted reports a
 * clean close for both). Set {@link StringTransportWithDisconnection.protocol} before closing.
 *
 * `connectionLost` is called synchronously and whatever it throws propagates to the caller of
 * `loseConnection`, so the test sees it.
 */
export class StringTransportWithDisconnection extends StringTransport {
  /** The protocol told about the close. */
  protocol: IProtocol | undefined;

  constructor(options: StringTransportOptions & { protocol?: IProtocol } = {}) {
    super(options);
    this.protocol = options.protocol;
  }

  override loseConnection(): void {
    this.#close(new ConnectionDone("Bye."));
  }

  override abortConnection(): void {
    this.aborted = true;
    this.#close(new ConnectionAborted());
  }

  #close(reason: Error): void {
    this.disconnecting = true;
    if (!this.connected) return;
    this.connected = false;
    this.protocol?.connectionLost(new Failure(reason));
  }
}

/**
 * A UDP transport that records datagrams instead of sending them (Twisted's
 * `FakeDatagramTransport`), for testing a `DatagramProtocol`.
 */
export class StringDatagramTransport implements IUDPTransport {
  /** Every datagram written, with the address given (or the connected peer, or `undefined`). */
  readonly written: Array<{ data: Buffer; addr: readonly [string, number] | undefined }> = [];
  /** The peer set by `connect`, or `null`. */
  connectedTo: readonly [string, number] | null = null;
  /** `true` once `stopListening`/`loseConnection` was called. */
  closed = false;
  /** What `getHost()` returns. */
  hostAddress: IAddress;

  constructor(hostAddress: IAddress = new IPv4Address("UDP", "10.0.0.1", 12345)) {
    this.hostAddress = hostAddress;
  }

  /** Record one datagram (a copy of `data`). */
  write(data: string | Uint8Array, addr?: readonly [string, number]): void {
    this.written.push({
      data: Buffer.from(toBuffer(data)),
      addr: addr ?? this.connectedTo ?? undefined,
    });
  }

  /** Record the peer. */
  connect(host: string, port: number): void {
    this.connectedTo = [host, port];
  }

  getHost(): IAddress {
    return this.hostAddress;
  }

  /** Set {@link StringDatagramTransport.closed}; fires at once. */
  stopListening(): Deferred<void> {
    this.closed = true;
    return succeed(undefined);
  }

  /** Same as {@link StringDatagramTransport.stopListening}. */
  loseConnection(): void {
    this.closed = true;
  }
}
