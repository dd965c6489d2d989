/**
 * {@link ProtocolWrapper} and {@link WrappingFactory}: the base of the policies, after
 * `twisted.protocols.policies`. A wrapping factory builds the real protocol with the wrapped
 * factory and puts a wrapper between it and the transport, so a policy can watch and steer
 * every connection (count it, time it out, throttle it).
 *
 * @module
 */
import type { Failure } from "../failure.ts";
import type {
  IAddress,
  IConnector,
  IProtocol,
  IProtocolFactory,
  ITransport,
} from "../interfaces.ts";
import { logPrefixOf } from "../logging-context.ts";
import type { MaybeAsync } from "../protocol/contain.ts";
import { ClientFactory, isClientFactory } from "../protocol/factory.ts";
import { type FlowControlOptions, factoryFlowControl } from "../transport/flow-control.ts";
import { ForwardingTransport } from "./forwarding-transport.ts";

/** What a {@link ProtocolWrapper} reports its connection's start and end to. */
export interface ProtocolRegistry {
  /** The wrapper's connection was made. */
  registerProtocol(p: ProtocolWrapper): void;
  /** The wrapper's connection was lost. */
  unregisterProtocol(p: ProtocolWrapper): void;
}

/** `"Wrapped (Wrapper)"`, as Twisted's `_wrappedLogPrefix`. */
function wrappedLogPrefix(wrapper: object, wrapped: object): string {
  return `${logPrefixOf(wrapped)} (${wrapper.constructor.name})`;
}

/**
 * Sits between a transport and a protocol, forwarding everything both ways: it is the
 * transport's protocol and the wrapped protocol's transport (the transport side is
 * {@link ForwardingTransport}'s). Subclasses override the calls they want to watch (`write`,
 * `dataReceived`, …) and call `super`.
 *
 * The transport methods beyond {@link ITransport} (`abortConnection`, producers, TCP options)
 * are forwarded to the real transport and throw a `TypeError` if it lacks them. Half-close
 * (`readConnectionLost`, `writeConnectionLost`) reaches the wrapped protocol when it is an
 * `IHalfCloseableProtocol`; otherwise the wrapper has neither, and the transport closes the
 * connection on the peer's FIN as it would for the unwrapped protocol.
 */
export class ProtocolWrapper extends ForwardingTransport {
  /** The protocol that receives the calls made on this wrapper. */
  readonly wrappedProtocol: IProtocol;
  readonly #registry: ProtocolRegistry;

  /**
   * @param factory The factory that made the wrapper; told when the connection starts and ends.
   * @param wrappedProtocol The protocol being wrapped.
   */
  constructor(factory: ProtocolRegistry & IProtocolFactory, wrappedProtocol: IProtocol) {
    super();
    this.#registry = factory;
    this.factory = factory;
    this.wrappedProtocol = wrappedProtocol;
  }

  /** The wrapped protocol's prefix, then the wrapper's class: `"Echo (TimeoutProtocol)"`. */
  override logPrefix(): string {
    return wrappedLogPrefix(this, this.wrappedProtocol);
  }

  /** Keep the real transport, register with the factory, and connect the wrapped protocol to this wrapper. */
  override makeConnection(transport: ITransport): MaybeAsync {
    super.makeConnection(transport);
    this.#registry.registerProtocol(this);
    return this.wrappedProtocol.makeConnection(this);
  }

  // --- protocol side: calls from the transport ------------------------------------------------

  override dataReceived(data: Buffer): MaybeAsync {
    return this.wrappedProtocol.dataReceived(data);
  }

  /** Unregister from the factory, then tell the wrapped protocol. */
  override connectionLost(reason: Failure): MaybeAsync {
    this.connected = false;
    this.#registry.unregisterProtocol(this);
    return this.wrappedProtocol.connectionLost(reason);
  }
}

/**
 * Wraps a factory: every protocol it builds is wrapped in a {@link ProtocolWrapper}, and the
 * live wrappers are kept in {@link WrappingFactory.protocols}. Start, stop and the client
 * callbacks are forwarded to the wrapped factory. Subclasses choose the wrapper by overriding
 * {@link WrappingFactory.wrapProtocol}.
 */
export class WrappingFactory extends ClientFactory implements ProtocolRegistry {
  /** The factory whose protocols are wrapped. */
  readonly wrappedFactory: IProtocolFactory;
  /** The wrappers whose connection is up. */
  readonly protocols: Set<ProtocolWrapper> = new Set();

  constructor(wrappedFactory: IProtocolFactory) {
    super();
    this.wrappedFactory = wrappedFactory;
  }

  /** This factory's flow control if set, else the wrapped factory's (read for each connection). */
  override get flowControl(): FlowControlOptions | undefined {
    return super.flowControl ?? factoryFlowControl(this.wrappedFactory);
  }
  override set flowControl(options: FlowControlOptions | undefined) {
    super.flowControl = options;
  }

  /** The wrapped factory's prefix, then this class: `"Factory (WrappingFactory)"`. */
  override logPrefix(): string {
    return wrappedLogPrefix(this, this.wrappedFactory);
  }

  override doStart(): void {
    this.wrappedFactory.doStart();
    super.doStart();
  }

  override doStop(): void {
    this.wrappedFactory.doStop();
    super.doStop();
  }

  override startedConnecting(connector: IConnector): void {
    if (isClientFactory(this.wrappedFactory)) this.wrappedFactory.startedConnecting(connector);
  }

  override clientConnectionFailed(connector: IConnector, reason: Failure): void {
    if (isClientFactory(this.wrappedFactory))
      this.wrappedFactory.clientConnectionFailed(connector, reason);
  }

  override clientConnectionLost(connector: IConnector, reason: Failure): void {
    if (isClientFactory(this.wrappedFactory))
      this.wrappedFactory.clientConnectionLost(connector, reason);
  }

  /** The wrapped factory's protocol, wrapped; `null` if the wrapped factory refused the connection. */
  override buildProtocol(addr: IAddress): ProtocolWrapper | null {
    const wrapped = this.wrappedFactory.buildProtocol(addr);
    return wrapped === null ? null : this.wrapProtocol(wrapped, addr);
  }

  /** Make the wrapper for `wrapped`. Override to use a {@link ProtocolWrapper} subclass. */
  protected wrapProtocol(wrapped: IProtocol, _addr: IAddress): ProtocolWrapper {
    return new ProtocolWrapper(this, wrapped);
  }

  /** Called by a wrapper when its connection is made. */
  registerProtocol(p: ProtocolWrapper): void {
    this.protocols.add(p);
  }

  /** Called by a wrapper when its connection is lost. */
  unregisterProtocol(p: ProtocolWrapper): void {
    this.protocols.delete(p);
  }
}
