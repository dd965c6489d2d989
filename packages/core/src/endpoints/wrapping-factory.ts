/**
 * The glue between a client endpoint's Deferred and the reactor's connector, after Twisted's
 * `_WrappingFactory`/`_WrappingProtocol` in `twisted.internet.endpoints`.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import { ConnectingCancelledError, NoProtocol } from "../errors.ts";
import { Failure } from "../failure.ts";
import type {
  IAddress,
  IConnector,
  IProtocol,
  IProtocolFactory,
  ITransport,
} from "../interfaces.ts";
import type { MaybeAsync } from "../protocol/contain.ts";
import { ClientFactory } from "../protocol/factory.ts";
import { type FlowControlOptions, factoryFlowControl } from "../transport/flow-control.ts";

type Optional = {
  readConnectionLost?: () => void;
  writeConnectionLost?: () => void;
  handshakeCompleted?: () => void;
  logPrefix?: () => string;
};

/**
 * Stands between the transport and the protocol the user's factory built: on
 * `makeConnection` it connects the real protocol, then fires the endpoint's Deferred with it.
 * Every later event is passed straight through.
 */
class WrappingProtocol implements IProtocol {
  readonly #factory: WrappingFactory;
  readonly wrappedProtocol: IProtocol;
  readConnectionLost?: () => void;
  writeConnectionLost?: () => void;
  handshakeCompleted?: () => void;

  constructor(factory: WrappingFactory, wrapped: IProtocol) {
    this.#factory = factory;
    this.wrappedProtocol = wrapped;
    // Transports look for optional capabilities by duck typing, so offer exactly those the
    // wrapped protocol has (Twisted's `directlyProvides` of the same interfaces).
    const w = wrapped as IProtocol & Optional;
    if (typeof w.readConnectionLost === "function")
      this.readConnectionLost = () => w.readConnectionLost?.();
    if (typeof w.writeConnectionLost === "function")
      this.writeConnectionLost = () => w.writeConnectionLost?.();
    if (typeof w.handshakeCompleted === "function")
      this.handshakeCompleted = () => w.handshakeCompleted?.();
  }

  /** The wrapped protocol's log prefix, or its class name. */
  logPrefix(): string {
    const w = this.wrappedProtocol as IProtocol & Optional;
    return typeof w.logPrefix === "function" ? w.logPrefix() : w.constructor.name;
  }

  makeConnection(transport: ITransport): MaybeAsync {
    let result: MaybeAsync;
    try {
      result = this.wrappedProtocol.makeConnection(transport);
    } catch (e) {
      // Twisted lets the exception reach the transport (which logs it and drops the
      // connection) and never fires the Deferred; we do the former and also fail the
      // Deferred, so that `await endpoint.connect(f)` does not hang.
      this.#factory.fail(Failure.from(e));
      throw e;
    }
    this.#factory.succeed(this.wrappedProtocol);
    return result;
  }

  connectionMade(): void {
    // Never called: makeConnection above is the only entry, and it calls the wrapped one.
  }

  dataReceived(data: Buffer): MaybeAsync {
    return this.wrappedProtocol.dataReceived(data);
  }

  connectionLost(reason: Failure): MaybeAsync {
    return this.wrappedProtocol.connectionLost(reason);
  }
}

/**
 * A client factory that wraps the user's factory for one connection attempt and reports the
 * attempt's outcome on {@link WrappingFactory.onConnection}:
 *
 * - it fires with the user's protocol once that protocol's `makeConnection`/`connectionMade` ran;
 * - it fails with whatever the user's `buildProtocol` threw, with {@link NoProtocol} when it
 *   returned `null`, or with the connector's reason (`ConnectionRefusedError`, `TimeoutError`, …);
 * - cancelling it stops the connector and fails it with {@link ConnectingCancelledError}.
 *
 * `doStart`/`doStop` pass through to the user's factory.
 */
export class WrappingFactory extends ClientFactory {
  /** The connection attempt's outcome; see the class documentation. */
  readonly onConnection: Deferred<IProtocol>;
  /** The connector of the attempt: the endpoint sets it, `startedConnecting` refreshes it. */
  connector: IConnector | undefined;
  readonly #wrapped: IProtocolFactory;
  #settled = false;

  constructor(wrapped: IProtocolFactory) {
    super();
    this.#wrapped = wrapped;
    this.noisy = false;
    this.onConnection = new Deferred<IProtocol>(() => this.#cancel());
  }

  #cancel(): void {
    const connector = this.connector;
    this.fail(new Failure(new ConnectingCancelledError(connector?.getDestination())));
    try {
      connector?.stopConnecting();
    } catch {
      // Already connected or already failed: the connector has nothing left to stop.
    }
  }

  /** Fire {@link onConnection} with `protocol`, unless it already fired. */
  succeed(protocol: IProtocol): void {
    if (this.#settled) return;
    this.#settled = true;
    this.onConnection.callback(protocol);
  }

  /** Fail {@link onConnection} with `reason`, unless it already fired. */
  fail(reason: Failure): void {
    if (this.#settled) return;
    this.#settled = true;
    this.onConnection.errback(reason);
  }

  override startedConnecting(connector: IConnector): void {
    this.connector = connector;
  }

  /** This factory's flow control if set, else the user's factory's (read by the connector). */
  override get flowControl(): FlowControlOptions | undefined {
    return super.flowControl ?? factoryFlowControl(this.#wrapped);
  }
  override set flowControl(options: FlowControlOptions | undefined) {
    super.flowControl = options;
  }

  override doStart(): void {
    this.#wrapped.doStart();
  }

  override doStop(): void {
    this.#wrapped.doStop();
  }

  /** Build the user's protocol, wrapped; on a throw or `null`, fail {@link onConnection} and refuse. */
  override buildProtocol(addr: IAddress): IProtocol | null {
    let proto: IProtocol | null;
    try {
      proto = this.#wrapped.buildProtocol(addr);
    } catch (e) {
      this.fail(Failure.from(e));
      return null;
    }
    if (proto === null || proto === undefined) {
      this.fail(new Failure(new NoProtocol()));
      return null;
    }
    return new WrappingProtocol(this, proto);
  }

  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    this.fail(reason);
  }
}
