/**
 * {@link IdleTimeoutFactory}: core's `TimeoutFactory`, with wrappers that remember they timed
 * out so the connection's loss is logged as "timed out".
 *
 * @module
 */
import {
  type IAddress,
  type IProtocol,
  TimeoutFactory,
  TimeoutProtocol,
  type TimeoutProtocolFactory,
} from "@torsion/core";

/** {@link TimeoutProtocol} that remembers it timed out, so the loss is logged as such. */
export class IdleTimeoutProtocol extends TimeoutProtocol {
  /** `true` once the idle timeout closed the connection. */
  timedOut = false;
  /** The idle period it was built with. */
  readonly idlePeriod: number | null;

  constructor(factory: TimeoutProtocolFactory, wrapped: IProtocol, period: number | null) {
    super(factory, wrapped, period);
    this.idlePeriod = period;
  }

  override timeoutFunc(): void {
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
