/**
 * Idle timeouts for connections, after `twisted.protocols.policies`: {@link TimeoutMixin} for a
 * protocol that manages its own timeout, and {@link TimeoutFactory} to give every connection of
 * an existing factory an idle timeout from outside.
 *
 * @module
 */
import { Failure } from "../failure.ts";
import type {
  IAddress,
  IDelayedCall,
  IProtocol,
  IProtocolFactory,
  IReactorTime,
  ITransport,
} from "../interfaces.ts";
import type { MaybeAsync } from "../protocol/contain.ts";
import { ConnectionTimedOut } from "../transport/connection-loss.ts";
import { loseConnectionWith } from "./forwarding-transport.ts";
import { type ProtocolRegistry, ProtocolWrapper, WrappingFactory } from "./wrapping.ts";

/** Options for {@link TimeoutMixin}. */
export interface TimeoutMixinOptions {
  /** Where time comes from: the reactor, or a `Clock` in tests. */
  clock: IReactorTime;
  /** The protocol whose connection is dropped (`transport.loseConnection()`) on timeout. */
  protocol?: { readonly transport: ITransport };
  /** What to do on timeout instead of dropping the protocol's connection. */
  onTimeout?: () => void;
}

/**
 * One resettable timeout for a protocol: Twisted's `TimeoutMixin`, composed into the protocol
 * rather than mixed in. When the period passes without a {@link TimeoutMixin.resetTimeout},
 * {@link TimeoutMixin.timeoutConnection} runs: by default it drops the protocol's connection
 * with `loseConnection()`, as Twisted does; pass `onTimeout` (or subclass) to do something else.
 *
 * ```ts
 * class Session extends LineReceiver {
 *   readonly timeout = new TimeoutMixin({ clock: reactor, protocol: this });
 *   override connectionMade(): void { this.timeout.setTimeout(600); }
 *   override lineReceived(line: Buffer): void { this.timeout.resetTimeout(); … }
 *   override connectionLost(reason: Failure): void { this.timeout.setTimeout(null); }
 * }
 * ```
 */
export class TimeoutMixin {
  /** The current period in seconds, or `null` when no timeout is set. */
  timeOut: number | null = null;
  #call: IDelayedCall | null = null;
  readonly #clock: IReactorTime;
  readonly #protocol: { readonly transport: ITransport } | undefined;
  readonly #onTimeout: (() => void) | undefined;

  /** @throws TypeError if neither `protocol` nor `onTimeout` is given. */
  constructor(options: TimeoutMixinOptions) {
    if (options.protocol === undefined && options.onTimeout === undefined) {
      throw new TypeError(
        "TimeoutMixin needs a protocol (whose connection to drop) or an onTimeout callback",
      );
    }
    this.#clock = options.clock;
    this.#protocol = options.protocol;
    this.#onTimeout = options.onTimeout;
  }

  /** `true` while the timeout is counting down. */
  get pending(): boolean {
    return this.#call !== null;
  }

  /**
   * Set the period to `period` seconds and restart the count-down from now, or turn the
   * timeout off with `null`. Returns the previous period.
   */
  setTimeout(period: number | null): number | null {
    const previous = this.timeOut;
    this.timeOut = period;
    const call = this.#call;
    if (call !== null) {
      if (period === null) {
        this.#call = null;
        if (call.active()) call.cancel();
      } else {
        call.reset(period);
      }
    } else if (period !== null) {
      this.#call = this.#clock.callLater(period, () => this.#timedOut());
    }
    return previous;
  }

  /**
   * Restart the count-down (call it when the peer shows signs of life). Does nothing when the
   * timeout is off or has already fired.
   */
  resetTimeout(): void {
    if (this.#call !== null && this.timeOut !== null) this.#call.reset(this.timeOut);
  }

  /** Turn the timeout off (the same as `setTimeout(null)`, without the return value). */
  cancelTimeout(): void {
    this.setTimeout(null);
  }

  /** The period passed: run `onTimeout`, or drop the protocol's connection. */
  timeoutConnection(): void {
    if (this.#onTimeout !== undefined) this.#onTimeout();
    else loseConnectionWith(this.#protocol!.transport, timedOut());
  }

  #timedOut(): void {
    this.#call = null;
    this.timeoutConnection();
  }
}

/** What a {@link TimeoutProtocol} needs from its factory. */
export interface TimeoutProtocolFactory extends ProtocolRegistry, IProtocolFactory {
  /** Where time comes from. */
  readonly clock: IReactorTime;
}

/**
 * A wrapper that closes its connection after `timeoutPeriod` seconds without traffic in
 * either direction (data received, or written by the wrapped protocol). The count-down starts
 * when the wrapper is built.
 */
export class TimeoutProtocol extends ProtocolWrapper {
  /** The idle period in seconds, or `null` when off. */
  timeoutPeriod: number | null = null;
  #call: IDelayedCall | null = null;
  readonly #clock: IReactorTime;

  constructor(
    factory: TimeoutProtocolFactory,
    wrappedProtocol: IProtocol,
    timeoutPeriod: number | null,
  ) {
    super(factory, wrappedProtocol);
    this.#clock = factory.clock;
    this.setTimeout(timeoutPeriod);
  }

  /** Restart the timeout with a new period, or turn it off with `null`. */
  setTimeout(timeoutPeriod: number | null): void {
    this.cancelTimeout();
    this.timeoutPeriod = timeoutPeriod;
    if (timeoutPeriod !== null)
      this.#call = this.#clock.callLater(timeoutPeriod, () => this.#timedOut());
  }

  /** Turn the timeout off; does nothing if it is already off or has fired. */
  cancelTimeout(): void {
    this.timeoutPeriod = null;
    const call = this.#call;
    this.#call = null;
    if (call?.active()) call.cancel();
  }

  /** Restart the count-down, because something happened on the connection. */
  resetTimeout(): void {
    if (this.#call !== null && this.timeoutPeriod !== null) this.#call.reset(this.timeoutPeriod);
  }

  override write(data: string | Uint8Array): void {
    this.resetTimeout();
    super.write(data);
  }

  override writeSequence(data: ReadonlyArray<string | Uint8Array>): void {
    this.resetTimeout();
    super.writeSequence(data);
  }

  override dataReceived(data: Buffer): MaybeAsync {
    this.resetTimeout();
    return super.dataReceived(data);
  }

  override connectionLost(reason: Failure): MaybeAsync {
    this.cancelTimeout();
    return super.connectionLost(reason);
  }

  /** The connection was idle for the whole period: close it. Override to do otherwise. */
  timeoutFunc(): void {
    this.loseConnection(timedOut());
  }

  #timedOut(): void {
    this.#call = null;
    this.timeoutFunc();
  }
}

/** Options for {@link TimeoutFactory}. */
export interface TimeoutFactoryOptions {
  /** Where time comes from: the reactor, or a `Clock` in tests. */
  clock: IReactorTime;
  /** Idle seconds before a connection is closed; default 30 minutes, as Twisted. */
  timeoutPeriod?: number;
}

/** Wraps a factory so that each of its connections is closed after being idle for `timeoutPeriod` seconds. */
export class TimeoutFactory extends WrappingFactory implements TimeoutProtocolFactory {
  /** Idle seconds before a connection is closed. */
  timeoutPeriod: number;
  readonly clock: IReactorTime;

  constructor(wrappedFactory: IProtocolFactory, options: TimeoutFactoryOptions) {
    super(wrappedFactory);
    this.clock = options.clock;
    this.timeoutPeriod = options.timeoutPeriod ?? 30 * 60;
  }

  protected override wrapProtocol(wrapped: IProtocol, _addr: IAddress): TimeoutProtocol {
    return new TimeoutProtocol(this, wrapped, this.timeoutPeriod);
  }
}

/** The reason a connection closed for being idle gets (a `ConnectionDone`, as in Twisted). */
function timedOut(): Failure {
  return new Failure(new ConnectionTimedOut());
}
