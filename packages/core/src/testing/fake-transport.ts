/**
 * {@link FakeTransport}: one side of an in-memory connection, moved by the `IOPump` of
 * `loopback.ts`.
 *
 * @module
 */
import type {
  IAddress,
  IProtocol,
  IPullProducer,
  IPushProducer,
  ITCPTransport,
} from "../interfaces.ts";
import type { ProducerState } from "./string-transport.ts";

/**
 * The state of one side of an in-memory connection, shared with the pump in `loopback.ts`.
 *
 * @internal Not exported from `@torsion/core/testing`.
 */
export class End {
  out: Buffer[] = [];
  outSize = 0;
  disconnecting = false;
  aborted = false;
  writeClosed = false;
  eofSent = false;
  lost = false;
  readState: ProducerState = "producing";
  producer: IPushProducer | IPullProducer | null = null;
  streaming = false;
  /** The streaming producer was paused by us (write buffer over the high-water mark). */
  producerPaused = false;
  readonly protocol: IProtocol;
  readonly highWaterMark: number;
  constructor(protocol: IProtocol, highWaterMark: number) {
    this.protocol = protocol;
    this.highWaterMark = highWaterMark;
  }
  take(): Buffer | undefined {
    if (this.outSize === 0) return undefined;
    const data = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out, this.outSize);
    this.discard();
    return data;
  }
  discard(): void {
    this.out = [];
    this.outSize = 0;
  }
}

const ends = new WeakMap<FakeTransport, End>();
/** @internal The state behind `t`, for the pump. */
export function endOf(t: FakeTransport): End {
  return ends.get(t)!;
}

function toBuffer(data: string | Uint8Array): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  return Buffer.from(data); // copy: the caller may reuse its buffer
}

/** Options for a {@link FakeTransport}. */
export interface FakeTransportOptions {
  /** What `getHost()` returns. */
  hostAddress: IAddress;
  /** What `getPeer()` returns. */
  peerAddress: IAddress;
  /**
   * Pending written bytes above which a registered streaming producer is paused (it is resumed
   * once the pump has moved them); default 65536.
   */
  highWaterMark?: number;
}

/**
 * One side of an in-memory connection made by {@link connectedServerAndClient}. Writes are
 * buffered until an {@link IOPump} moves them to the other side. It behaves like a TCP transport:
 * `loseConnection` closes after the buffered data is delivered, `abortConnection` drops it,
 * `pauseProducing` stops delivery to this side, producers are paused above the high-water mark,
 * pull producers are asked for more whenever the buffer drained, and a registered producer is
 * stopped when the connection is lost.
 */
export class FakeTransport implements ITCPTransport {
  /** The last value given to `setTcpNoDelay`. */
  tcpNoDelay = false;
  /** The last value given to `setTcpKeepAlive`. */
  tcpKeepAlive = false;
  readonly #end: End;
  readonly #host: IAddress;
  readonly #peer: IAddress;

  constructor(protocol: IProtocol, options: FakeTransportOptions) {
    this.#end = new End(protocol, options.highWaterMark ?? 65536);
    this.#host = options.hostAddress;
    this.#peer = options.peerAddress;
    ends.set(this, this.#end);
  }

  /** The protocol this transport delivers to. */
  get protocol(): IProtocol {
    return this.#end.protocol;
  }
  /** `true` once `loseConnection`/`abortConnection` was called or the connection was lost. */
  get disconnecting(): boolean {
    return this.#end.disconnecting;
  }
  /** `true` until the protocol was told `connectionLost`. */
  get connected(): boolean {
    return !this.#end.lost;
  }
  /** `true` once `abortConnection` was called. */
  get aborted(): boolean {
    return this.#end.aborted;
  }
  /** Bytes written and not yet moved by the pump. */
  get pendingBytes(): number {
    return this.#end.outSize;
  }
  /** This side's reading state: `"paused"` while the pump holds data back from it. */
  get producerState(): ProducerState {
    return this.#end.readState;
  }
  /** The registered producer, or `null`. */
  get producer(): IPushProducer | IPullProducer | null {
    return this.#end.producer;
  }

  /** Buffer `data` for the pump; dropped once closing, as a real transport does. */
  write(data: string | Uint8Array): void {
    const end = this.#end;
    if (end.disconnecting || end.writeClosed || end.lost) return;
    const b = toBuffer(data);
    if (b.length === 0) return;
    end.out.push(b);
    end.outSize += b.length;
    if (
      end.producer !== null &&
      end.streaming &&
      !end.producerPaused &&
      end.outSize > end.highWaterMark
    ) {
      end.producerPaused = true;
      (end.producer as IPushProducer).pauseProducing();
    }
  }

  writeSequence(data: ReadonlyArray<string | Uint8Array>): void {
    for (const d of data) this.write(d);
  }

  /** Close once the pump has delivered what is buffered; both sides then see `ConnectionDone`. */
  loseConnection(): void {
    this.#end.disconnecting = true;
  }

  /** Close now, dropping buffered data: this side sees `ConnectionAborted`, the peer `ConnectionLost`. */
  abortConnection(): void {
    this.#end.aborted = true;
    this.#end.disconnecting = true;
    this.#end.discard();
  }

  /**
   * Half-close: once buffered data is delivered, the peer's `readConnectionLost` is called (a
   * peer that is not half-closeable closes the connection instead) and this side's
   * `writeConnectionLost`. Later writes are dropped.
   */
  loseWriteConnection(): void {
    this.#end.writeClosed = true;
  }

  getPeer(): IAddress {
    return this.#peer;
  }

  getHost(): IAddress {
    return this.#host;
  }

  setTcpNoDelay(enabled: boolean): void {
    this.tcpNoDelay = enabled;
  }

  setTcpKeepAlive(enabled: boolean, _initialDelaySeconds?: number): void {
    this.tcpKeepAlive = enabled;
  }

  /**
   * Register a producer. A pull producer is asked for data now and whenever the pump has
   * drained the buffer; on a lost connection the producer is stopped at once.
   *
   * @throws Error if a producer is already registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    const end = this.#end;
    if (end.producer !== null) throw new Error("Cannot register two producers");
    if (end.lost) {
      producer.stopProducing();
      return;
    }
    end.producer = producer;
    end.streaming = streaming;
    end.producerPaused = false;
    if (!streaming) producer.resumeProducing();
    else if (end.outSize > end.highWaterMark) {
      end.producerPaused = true;
      (producer as IPushProducer).pauseProducing();
    }
  }

  unregisterProducer(): void {
    this.#end.producer = null;
    this.#end.producerPaused = false;
  }

  /** Stop delivering data to this side's protocol until `resumeProducing`. */
  pauseProducing(): void {
    if (this.#end.readState !== "stopped") this.#end.readState = "paused";
  }

  /** Deliver data to this side again. */
  resumeProducing(): void {
    if (this.#end.readState !== "stopped") this.#end.readState = "producing";
  }

  /** Stop reading for good and close the connection. */
  stopProducing(): void {
    this.#end.readState = "stopped";
    this.loseConnection();
  }
}
