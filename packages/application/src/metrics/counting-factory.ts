/**
 * {@link CountingFactory}: the wrapping factory that feeds {@link EndpointCounters} from the
 * connections of one endpoint.
 *
 * @module
 */
import {
  ConnectionDone,
  type Failure,
  type IAddress,
  type IProtocol,
  type IProtocolFactory,
  logPrefixOf,
  type MaybeAsync,
  ProtocolWrapper,
  WrappingFactory,
} from "@torsion/core";
import type { EndpointCounters } from "./connection-metrics.ts";

function byteLength(data: string | Uint8Array): number {
  return typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
}

/** Counts one connection's bytes both ways and how it ended; invisible in log prefixes. */
class CountingProtocol extends ProtocolWrapper {
  readonly #counters: EndpointCounters;

  constructor(factory: CountingFactory, wrapped: IProtocol, counters: EndpointCounters) {
    super(factory, wrapped);
    this.#counters = counters;
  }

  override logPrefix(): string {
    return logPrefixOf(this.wrappedProtocol);
  }

  // The callbacks return what `super` returns, so an `async` callback's rejection reaches the
  // transport, which aborts this connection.
  override makeConnection(transport: Parameters<ProtocolWrapper["makeConnection"]>[0]): MaybeAsync {
    this.#counters.opened();
    return super.makeConnection(transport);
  }

  override dataReceived(data: Buffer): MaybeAsync {
    this.#counters.received(data.length);
    return super.dataReceived(data);
  }

  override write(data: string | Uint8Array): void {
    this.#counters.sent(byteLength(data));
    super.write(data);
  }

  override writeSequence(data: ReadonlyArray<string | Uint8Array>): void {
    let n = 0;
    for (const d of data) n += byteLength(d);
    this.#counters.sent(n);
    super.writeSequence(data);
  }

  override connectionLost(reason: Failure): MaybeAsync {
    try {
      return super.connectionLost(reason);
    } finally {
      const clean = reason.check(ConnectionDone) !== undefined;
      this.#counters.closed(clean ? null : ((reason.value as Error)?.name ?? "Error"));
    }
  }
}

/** Wraps a server factory; every connection it builds is counted on `counters`. */
export class CountingFactory extends WrappingFactory {
  readonly #counters: EndpointCounters;

  constructor(wrappedFactory: IProtocolFactory, counters: EndpointCounters) {
    super(wrappedFactory);
    this.#counters = counters;
    this.noisy = false;
  }

  /** The wrapped factory's prefix, so start-up lines read as without the wrapper. */
  override logPrefix(): string {
    return logPrefixOf(this.wrappedFactory);
  }

  override buildProtocol(addr: IAddress): ProtocolWrapper | null {
    const p = super.buildProtocol(addr);
    if (p === null) this.#counters.refused();
    return p;
  }

  protected override wrapProtocol(wrapped: IProtocol): ProtocolWrapper {
    return new CountingProtocol(this, wrapped, this.#counters);
  }
}
