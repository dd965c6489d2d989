/**
 * {@link ThrottlingFactory}: bandwidth and connection-count limits for every connection of a
 * factory, after `twisted.protocols.policies`.
 *
 * @module
 */

import type {
  IAddress,
  IDelayedCall,
  IProtocol,
  IProtocolFactory,
  IPullProducer,
  IPushProducer,
  IReactorTime,
  ITCPTransport,
} from "../interfaces.ts";
import { Logger } from "../logger/logger.ts";
import type { MaybeAsync } from "../protocol/contain.ts";
import { type ProtocolRegistry, ProtocolWrapper, WrappingFactory } from "./wrapping.ts";

/** What a {@link ThrottlingProtocol} reports its traffic to. */
export interface ThrottlingRegistry extends ProtocolRegistry, IProtocolFactory {
  /** `length` more bytes were written. */
  registerWritten(length: number): void;
  /** `length` more bytes were read. */
  registerRead(length: number): void;
}

const log = new Logger("torsion.policies");

function byteLength(data: string | Uint8Array): number {
  return typeof data === "string" ? Buffer.byteLength(data, "utf8") : data.byteLength;
}

/**
 * The wrapper of {@link ThrottlingFactory}: counts bytes both ways, throttles reads by pausing
 * its transport and writes by pausing the producer registered on it.
 */
export class ThrottlingProtocol extends ProtocolWrapper {
  #producer: IPushProducer | IPullProducer | null = null;
  readonly #counter: ThrottlingRegistry;

  constructor(factory: ThrottlingRegistry, wrappedProtocol: IProtocol) {
    super(factory, wrappedProtocol);
    this.#counter = factory;
  }

  override write(data: string | Uint8Array): void {
    this.#counter.registerWritten(byteLength(data));
    super.write(data);
  }

  override writeSequence(data: ReadonlyArray<string | Uint8Array>): void {
    let n = 0;
    for (const d of data) n += byteLength(d);
    this.#counter.registerWritten(n);
    super.writeSequence(data);
  }

  override dataReceived(data: Buffer): MaybeAsync {
    this.#counter.registerRead(data.length);
    return super.dataReceived(data);
  }

  override registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.#producer = producer;
    super.registerProducer(producer, streaming);
  }

  override unregisterProducer(): void {
    this.#producer = null;
    super.unregisterProducer();
  }

  /** Stop reading: pause the transport. */
  throttleReads(): void {
    (this.transport as Partial<ITCPTransport>).pauseProducing?.();
  }

  /** Read again. */
  unthrottleReads(): void {
    (this.transport as Partial<ITCPTransport>).resumeProducing?.();
  }

  /** Pause the registered push producer, if any (writes from elsewhere cannot be held back). */
  throttleWrites(): void {
    (this.#producer as Partial<IPushProducer> | null)?.pauseProducing?.();
  }

  /** Resume the registered producer, if any. */
  unthrottleWrites(): void {
    this.#producer?.resumeProducing();
  }
}

/** Options for {@link ThrottlingFactory}. */
export interface ThrottlingFactoryOptions {
  /** Where time comes from: the reactor, or a `Clock` in tests. */
  clock: IReactorTime;
  /** The most simultaneous connections; further ones are closed at once. Default: no limit. */
  maxConnectionCount?: number;
  /** Bytes per second read over all connections; default no limit. */
  readLimit?: number | null;
  /** Bytes per second written over all connections; default no limit. */
  writeLimit?: number | null;
}

/**
 * Wraps a factory to limit the bandwidth of all its connections together, and their number.
 *
 * Once a second it compares the bytes of the last second with the limit; if they exceed it,
 * every connection is throttled for as long as it would take to catch up
 * (`bytes / limit - 1` seconds): reads by pausing each transport, writes by pausing each
 * registered producer. Writes made without a producer are counted but cannot be held back, as
 * in Twisted. The once-a-second check runs while there is at least one connection.
 */
export class ThrottlingFactory extends WrappingFactory implements ThrottlingRegistry {
  readonly clock: IReactorTime;
  /** Connections built and not yet lost. */
  connectionCount = 0;
  maxConnectionCount: number;
  /** Bytes per second read, or `null` for no limit. */
  readLimit: number | null;
  /** Bytes per second written, or `null` for no limit. */
  writeLimit: number | null;
  /** Bytes read since the last check. */
  readThisSecond = 0;
  /** Bytes written since the last check. */
  writtenThisSecond = 0;
  #unthrottleReadsID: IDelayedCall | null = null;
  #checkReadBandwidthID: IDelayedCall | null = null;
  #unthrottleWritesID: IDelayedCall | null = null;
  #checkWriteBandwidthID: IDelayedCall | null = null;

  constructor(wrappedFactory: IProtocolFactory, options: ThrottlingFactoryOptions) {
    super(wrappedFactory);
    this.clock = options.clock;
    this.maxConnectionCount = options.maxConnectionCount ?? Number.POSITIVE_INFINITY;
    this.readLimit = options.readLimit ?? null;
    this.writeLimit = options.writeLimit ?? null;
  }

  registerWritten(length: number): void {
    this.writtenThisSecond += length;
  }

  registerRead(length: number): void {
    this.readThisSecond += length;
  }

  /** Throttle reads if the last second read more than the limit, then check again in a second. */
  checkReadBandwidth(): void {
    const limit = this.readLimit;
    if (limit !== null && this.readThisSecond > limit) {
      this.throttleReads();
      const throttleTime = this.readThisSecond / limit - 1.0;
      this.#cancel(this.#unthrottleReadsID);
      this.#unthrottleReadsID = this.clock.callLater(throttleTime, () => this.unthrottleReads());
    }
    this.readThisSecond = 0;
    this.#checkReadBandwidthID = this.clock.callLater(1, () => this.checkReadBandwidth());
  }

  /** Throttle writes if the last second wrote more than the limit, then check again in a second. */
  checkWriteBandwidth(): void {
    const limit = this.writeLimit;
    if (limit !== null && this.writtenThisSecond > limit) {
      this.throttleWrites();
      const throttleTime = this.writtenThisSecond / limit - 1.0;
      this.#cancel(this.#unthrottleWritesID);
      this.#unthrottleWritesID = this.clock.callLater(throttleTime, () => this.unthrottleWrites());
    }
    this.writtenThisSecond = 0;
    this.#checkWriteBandwidthID = this.clock.callLater(1, () => this.checkWriteBandwidth());
  }

  /** Throttle reads on every connection. */
  throttleReads(): void {
    log.info("Throttling reads on {factory}", { factory: this.logPrefix() });
    for (const p of this.protocols) (p as ThrottlingProtocol).throttleReads();
  }

  /** Stop throttling reads on every connection. */
  unthrottleReads(): void {
    this.#unthrottleReadsID = null;
    log.info("Stopped throttling reads on {factory}", { factory: this.logPrefix() });
    for (const p of this.protocols) (p as ThrottlingProtocol).unthrottleReads();
  }

  /** Throttle writes on every connection. */
  throttleWrites(): void {
    log.info("Throttling writes on {factory}", { factory: this.logPrefix() });
    for (const p of this.protocols) (p as ThrottlingProtocol).throttleWrites();
  }

  /** Stop throttling writes on every connection. */
  unthrottleWrites(): void {
    this.#unthrottleWritesID = null;
    log.info("Stopped throttling writes on {factory}", { factory: this.logPrefix() });
    for (const p of this.protocols) (p as ThrottlingProtocol).unthrottleWrites();
  }

  /** A throttled wrapper, or `null` past {@link maxConnectionCount}. Starts the checks with the first connection. */
  override buildProtocol(addr: IAddress): ProtocolWrapper | null {
    if (this.connectionCount >= this.maxConnectionCount) {
      log.info("Max connection count reached!");
      return null;
    }
    const p = super.buildProtocol(addr);
    if (p === null) return null;
    if (this.connectionCount === 0) {
      if (this.readLimit !== null) this.checkReadBandwidth();
      if (this.writeLimit !== null) this.checkWriteBandwidth();
    }
    this.connectionCount++;
    return p;
  }

  protected override wrapProtocol(wrapped: IProtocol, _addr: IAddress): ThrottlingProtocol {
    return new ThrottlingProtocol(this, wrapped);
  }

  /** Stop the checks with the last connection. */
  override unregisterProtocol(p: ProtocolWrapper): void {
    super.unregisterProtocol(p);
    this.connectionCount--;
    if (this.connectionCount === 0) {
      this.#cancel(this.#unthrottleReadsID);
      this.#cancel(this.#checkReadBandwidthID);
      this.#cancel(this.#unthrottleWritesID);
      this.#cancel(this.#checkWriteBandwidthID);
      this.#unthrottleReadsID = this.#checkReadBandwidthID = null;
      this.#unthrottleWritesID = this.#checkWriteBandwidthID = null;
    }
  }

  #cancel(call: IDelayedCall | null): void {
    if (call?.active()) call.cancel();
  }
}
