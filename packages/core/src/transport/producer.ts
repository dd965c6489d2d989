/**
 * {@link ProducerSlot}: the consumer side of Twisted's producer/consumer contract for a
 * transport: `write()` returning `false` and `drain` turned into `pauseProducing` /
 * `resumeProducing`.
 *
 * @module
 * @internal
 */
import type { IPullProducer, IPushProducer } from "../interfaces.ts";

/** What the slot needs from its transport. */
export interface ProducerHost {
  /** `true` while the socket's write buffer is past its high-water mark (a `drain` will follow). */
  needsDrain(): boolean;
  /** A producer callback threw: log it and abort the connection. */
  failed(error: unknown, callback: string): void;
}

/**
 * One registered producer. Allocated by `registerProducer` only, so a connection without a
 * producer pays one `null` field for all this.
 *
 * - Push (`streaming`): paused when a write finds the buffer full, resumed on `drain`.
 * - Pull: asked for a chunk now, then again whenever the buffer has room: on `drain` when it
 *   filled up, otherwise on the next turn of the event loop (`setImmediate`: I/O runs between
 *   chunks). A pull that wrote nothing is not repeated until the producer writes again, so an
 *   idle producer costs nothing.
 */
export class ProducerSlot {
  readonly producer: IPushProducer | IPullProducer;
  readonly streaming: boolean;
  readonly #host: ProducerHost;
  /** A push producer we paused and have not resumed. */
  paused = false;
  #active = true;
  #pullWrote = false;
  #pullIdle = false;
  #pullScheduled = false;

  constructor(producer: IPushProducer | IPullProducer, streaming: boolean, host: ProducerHost) {
    this.producer = producer;
    this.streaming = streaming;
    this.#host = host;
  }

  /** Just registered: pause a push producer if the buffer is already full; ask a pull producer for a chunk. */
  start(): void {
    if (!this.streaming) this.#askPull();
    else if (this.#host.needsDrain()) this.#pause();
  }

  /** The producer was unregistered or the connection closed: no more calls. */
  detach(): void {
    this.#active = false;
  }

  /** A write happened; `ok` is what the socket's `write` returned. */
  wrote(ok: boolean): void {
    if (this.streaming) {
      if (!ok && !this.paused) this.#pause();
      return;
    }
    this.#pullWrote = true;
    if (this.#pullIdle) {
      this.#pullIdle = false;
      this.#schedulePull();
    }
  }

  /** The socket drained its buffer. */
  drained(): void {
    if (!this.#active) return;
    if (!this.streaming) {
      this.#askPull();
    } else if (this.paused) {
      this.paused = false;
      try {
        this.producer.resumeProducing();
      } catch (error) {
        this.#host.failed(error, "resumeProducing");
      }
    }
  }

  #pause(): void {
    this.paused = true;
    try {
      (this.producer as IPushProducer).pauseProducing();
    } catch (error) {
      this.#host.failed(error, "pauseProducing");
    }
  }

  #askPull(): void {
    if (!this.#active) return;
    this.#pullWrote = false;
    try {
      this.producer.resumeProducing();
    } catch (error) {
      this.#host.failed(error, "resumeProducing");
      return;
    }
    if (!this.#active || this.#host.needsDrain()) return; // `drain` asks next
    if (this.#pullWrote) this.#schedulePull();
    else this.#pullIdle = true; // wait for the producer's own next write
  }

  #schedulePull(): void {
    if (this.#pullScheduled) return;
    this.#pullScheduled = true;
    setImmediate(ProducerSlot.#pullSoon, this);
  }

  static #pullSoon(slot: ProducerSlot): void {
    slot.#pullScheduled = false;
    slot.#askPull();
  }
}
