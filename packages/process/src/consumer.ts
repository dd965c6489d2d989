/**
 * The producer/consumer glue for a Node `Writable` (a child's stdin, this process's stdout):
 * Twisted's `IConsumer.registerProducer` over `write()` returning `false` and `'drain'`.
 * Internal to the package.
 *
 * @module
 */
import type { Writable } from "node:stream";
import type { IPullProducer, IPushProducer } from "@torsion/core";

/**
 * Writes to `stream` and throttles a registered producer: a push producer is paused when a
 * write is not accepted (the stream's buffer passed its high-water mark) and resumed on
 * `'drain'`; a pull producer is asked for a chunk on each turn of the event loop until the
 * buffer is full, then again on `'drain'`.
 */
export class WritableConsumer {
  readonly #stream: Writable;
  readonly #onError: (what: string, err: unknown) => void;
  #producer: IPushProducer | IPullProducer | undefined;
  #streaming = false;
  #paused = false;
  #pullScheduled = false;

  /** `onError` is told about exceptions thrown by the producer's methods. */
  constructor(stream: Writable, onError: (what: string, err: unknown) => void) {
    this.#stream = stream;
    this.#onError = onError;
    stream.on("drain", () => this.#drained());
  }

  /** `true` while the stream accepts writes. */
  get writable(): boolean {
    return !this.#stream.writableEnded && !this.#stream.destroyed;
  }

  /** Write `data`; ignored once the stream is ended or destroyed. */
  write(data: string | Uint8Array): void {
    if (!this.writable) return;
    const accepted = this.#stream.write(data);
    if (!accepted && this.#producer !== undefined && this.#streaming && !this.#paused) {
      this.#paused = true;
      const producer = this.#producer as IPushProducer;
      this.#call("pauseProducing", () => producer.pauseProducing());
    }
  }

  /**
   * Register a producer; stops it at once if the stream no longer accepts writes.
   *
   * @throws Error if a producer is already registered.
   */
  register(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#producer !== undefined)
      throw new Error("Cannot register producer: another producer is already registered");
    if (!this.writable) {
      producer.stopProducing();
      return;
    }
    this.#producer = producer;
    this.#streaming = streaming;
    this.#paused = false;
    if (!streaming) this.#schedulePull();
    else if (this.#stream.writableNeedDrain) {
      this.#paused = true;
      (producer as IPushProducer).pauseProducing();
    }
  }

  /** Forget the registered producer. */
  unregister(): void {
    this.#producer = undefined;
    this.#paused = false;
  }

  /** The stream is closed for good: stop and forget the producer, if any. */
  closed(): void {
    const producer = this.#producer;
    if (producer === undefined) return;
    this.unregister();
    this.#call("stopProducing", () => producer.stopProducing());
  }

  #drained(): void {
    const producer = this.#producer;
    if (producer === undefined) return;
    if (!this.#streaming) {
      this.#schedulePull();
    } else if (this.#paused) {
      this.#paused = false;
      this.#call("resumeProducing", () => producer.resumeProducing());
    }
  }

  #schedulePull(): void {
    if (this.#pullScheduled) return;
    this.#pullScheduled = true;
    setImmediate(() => {
      this.#pullScheduled = false;
      const producer = this.#producer;
      if (producer === undefined || this.#streaming || !this.writable) return;
      this.#call("resumeProducing", () => producer.resumeProducing());
      // Ask again while the stream takes more; once its buffer is full, 'drain' asks.
      if (this.#producer === producer && !this.#stream.writableNeedDrain) this.#schedulePull();
    });
  }

  #call(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#onError(`${what} of the registered producer`, err);
    }
  }
}
