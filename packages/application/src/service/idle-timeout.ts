/**
 * {@link IdleTimeoutFactory}: core's `TimeoutFactory`, with wrappers that remember they timed
 * out so the connection's loss is logged as "timed out".
 *
 * @module
 */
import {
  type IAddress,
  type IProtocol,
  type IReactorTime,
  TimeoutFactory,
  TimeoutProtocol,
  type TimeoutProtocolFactory,
} from "@torsion/core";

/**
 * {@link TimeoutProtocol} that remembers it timed out, so the loss is logged as such, and that
 * does not move its timer on every read and write: activity only records the time, and when
 * the timer fires early (the connection was active meanwhile) it is set again for the rest of
 * the period (Netty's `IdleStateHandler` does the same). Resetting a timer per chunk costs
 * more than the echo itself.
 */
export class IdleTimeoutProtocol extends TimeoutProtocol {
  /** `true` once the idle timeout closed the connection. */
  timedOut = false;
  /** The idle period it was built with. */
  readonly idlePeriod: number | null;
  readonly #clock: IReactorTime;
  #lastActivity: number;

  constructor(factory: TimeoutProtocolFactory, wrapped: IProtocol, period: number | null) {
    super(factory, wrapped, period);
    this.idlePeriod = period;
    this.#clock = factory.clock;
    this.#lastActivity = factory.clock.seconds();
  }

  /** Something happened on the connection: remember when. */
  override resetTimeout(): void {
    this.#lastActivity = this.#clock.seconds();
  }

  /** The timer fired: close the connection if it has been idle for the whole period. */
  override timeoutFunc(): void {
    const period = this.idlePeriod;
    if (period === null) return;
    const idle = this.#clock.seconds() - this.#lastActivity;
    if (idle < period) {
      this.setTimeout(period - idle);
      return;
    }
    this.timedOut = true;
    super.timeoutFunc();
  }
}

/** Closes each connection idle (no data either way) for `timeoutPeriod` seconds. */
export class IdleTimeoutFactory extends TimeoutFactory {
  protected override wrapProtocol(wrapped: IProtocol, _addr: IAddress): IdleTimeoutProtocol {
    return new IdleTimeoutProtocol(this, wrapped, this.timeoutPeriod);
  }
}
