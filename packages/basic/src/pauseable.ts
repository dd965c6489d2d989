/**
 * The push-producer behaviour shared by the framing protocols (Twisted's `_PauseableMixin`).
 *
 * @module
 */
import type { IPushProducer } from "@torsion/core";
import { Protocol } from "@torsion/core";

const EMPTY: Buffer = Buffer.alloc(0);

/**
 * A protocol that is also a push producer, for protocols that buffer frames
 * ({@link LineReceiver}, {@link IntNStringReceiver}): while {@link PauseableProtocol.paused},
 * frames already received are held back, and the transport is paused too, so the peer is slowed
 * down rather than buffered without bound. `dataReceived` must stop delivering while `paused`.
 */
export abstract class PauseableProtocol extends Protocol implements IPushProducer {
  /** `true` while paused by {@link PauseableProtocol.pauseProducing} or stopped. */
  paused = false;

  /** Stop delivering frames and pause the transport. */
  pauseProducing(): void {
    this.paused = true;
    (this.transport as Partial<IPushProducer>).pauseProducing?.();
  }

  /** Resume the transport and deliver the frames held back. */
  resumeProducing(): void {
    this.paused = false;
    (this.transport as Partial<IPushProducer>).resumeProducing?.();
    this.dataReceived(EMPTY);
  }

  /** Stop delivering for good and stop the transport. */
  stopProducing(): void {
    this.paused = true;
    (this.transport as Partial<IPushProducer>).stopProducing?.();
  }
}
