/**
 * {@link ForwardingTransport}: the transport side shared by every protocol that stands between
 * a transport and another protocol ({@link ProtocolWrapper}, `HAProxyProtocol`).
 *
 * @module
 */
import type { Failure } from "../failure.ts";
import type {
  IAddress,
  IHalfCloseableProtocol,
  IProtocol,
  IPullProducer,
  IPushProducer,
  ITCPTransport,
  ITransport,
} from "../interfaces.ts";
import type { MaybeAsync } from "../protocol/contain.ts";
import { Protocol } from "../protocol/protocol.ts";
import {
  type FlowControl,
  type FlowControlOptions,
  hasFlowControl,
} from "../transport/flow-control.ts";

/**
 * A protocol that is also the transport of the protocol it wraps: the calls that protocol makes
 * on its transport are forwarded to the real one. The methods beyond {@link ITransport}
 * (`abortConnection`, producers, TCP options, flow control) throw a `TypeError` when the real
 * transport lacks them. Half-close (`readConnectionLost`, `writeConnectionLost`) is offered
 * only while the wrapped protocol is an `IHalfCloseableProtocol`, so that the transport closes
 * the connection on the peer's FIN as it would for the unwrapped protocol.
 *
 * Subclasses say which protocol is wrapped ({@link ForwardingTransport.wrappedProtocol}), pass
 * the protocol-side calls on, and override what they want to watch, calling `super`.
 */
export abstract class ForwardingTransport extends Protocol implements ITCPTransport {
  /** The protocol this one is the transport of; `null` while there is none yet. */
  abstract readonly wrappedProtocol: IProtocol | null;
  /** `true` once `loseConnection` or `abortConnection` was called on this wrapper. */
  #disconnecting = false;

  write(data: string | Uint8Array): void {
    this.transport.write(data);
  }

  writeSequence(data: ReadonlyArray<string | Uint8Array>): void {
    this.transport.writeSequence(data);
  }

  /** Close the real transport; `reason` (when given) is what `connectionLost` gets instead of `ConnectionDone`. */
  loseConnection(reason?: Failure): void {
    this.#disconnecting = true;
    loseConnectionWith(this.transport, reason);
  }

  /** `true` once this wrapper or the real transport started closing. */
  get disconnecting(): boolean {
    if (this.#disconnecting) return true;
    return this.hasTransport && (this.transport as Partial<ITCPTransport>).disconnecting === true;
  }

  getPeer(): IAddress {
    return this.transport.getPeer();
  }

  getHost(): IAddress {
    return this.transport.getHost();
  }

  abortConnection(): void {
    const t = this.#tcp("abortConnection"); // throws before anything changed
    this.#disconnecting = true;
    t.abortConnection();
  }

  loseWriteConnection(): void {
    this.#tcp("loseWriteConnection").loseWriteConnection();
  }

  setTcpNoDelay(enabled: boolean): void {
    this.#tcp("setTcpNoDelay").setTcpNoDelay(enabled);
  }

  setTcpKeepAlive(enabled: boolean, initialDelaySeconds?: number): void {
    this.#tcp("setTcpKeepAlive").setTcpKeepAlive(enabled, initialDelaySeconds);
  }

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.#tcp("registerProducer").registerProducer(producer, streaming);
  }

  unregisterProducer(): void {
    this.#tcp("unregisterProducer").unregisterProducer();
  }

  pauseProducing(): void {
    this.#tcp("pauseProducing").pauseProducing();
  }

  resumeProducing(): void {
    this.#tcp("resumeProducing").resumeProducing();
  }

  stopProducing(): void {
    this.#tcp("stopProducing").stopProducing();
  }

  /** The real transport's flow control. */
  get flowControl(): FlowControl {
    const t: unknown = this.transport;
    if (!hasFlowControl(t)) throw new TypeError(`${String(t)} has no flow control`);
    return t.flowControl;
  }

  /** Change the real transport's flow control (see `FlowControlOptions`). */
  setFlowControl(options: FlowControlOptions): void {
    const t: unknown = this.transport;
    if (!hasFlowControl(t)) throw new TypeError(`${String(t)} has no setFlowControl()`);
    t.setFlowControl(options);
  }

  // The transport looks these up when the peer half-closes: a getter, so that they exist
  // exactly while the wrapped protocol has them.
  /** The wrapped protocol's `readConnectionLost` (`IHalfCloseableProtocol`), if it has one. */
  get readConnectionLost(): (() => MaybeAsync) | undefined {
    const w = this.wrappedProtocol as Partial<IHalfCloseableProtocol> | null;
    return typeof w?.readConnectionLost === "function" ? () => w.readConnectionLost?.() : undefined;
  }

  /** The wrapped protocol's `writeConnectionLost` (`IHalfCloseableProtocol`), if it has one. */
  get writeConnectionLost(): (() => MaybeAsync) | undefined {
    const w = this.wrappedProtocol as Partial<IHalfCloseableProtocol> | null;
    return typeof w?.writeConnectionLost === "function"
      ? () => w.writeConnectionLost?.()
      : undefined;
  }

  /** The real transport, checked to have `method`. */
  #tcp<K extends keyof ITCPTransport>(method: K): ITCPTransport {
    const t = this.transport as Partial<ITCPTransport>;
    if (typeof t[method] !== "function")
      throw new TypeError(`${this.transport.constructor.name} has no ${String(method)}()`);
    return t as ITCPTransport;
  }
}

/**
 * `transport.loseConnection()`, passing `reason` along to transports that take one (Torsion's
 * stream transports and {@link ForwardingTransport}, as Twisted's `loseConnection(_connDone)`).
 *
 * @internal
 */
export function loseConnectionWith(transport: ITransport, reason: Failure | undefined): void {
  if (reason === undefined) transport.loseConnection();
  else (transport.loseConnection as (reason?: Failure) => void).call(transport, reason);
}
