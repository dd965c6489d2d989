/**
 * `FileSender`, after `twisted.protocols.basic.FileSender`.
 *
 * @module
 */
import { readSync } from "node:fs";
import type { Readable } from "node:stream";
import type { IConsumer, IPullProducer } from "@torsion/core";
import { Deferred, TorsionError } from "@torsion/core";

const EMPTY: Buffer = Buffer.alloc(0);

/** What {@link FileSender} reads from: a file descriptor (read synchronously, as Twisted) or a `Readable`. */
export type FileSource = number | Readable;

/** Transforms each chunk before it is written. */
export type ChunkTransform = (chunk: Buffer) => Uint8Array;

/**
 * A pull producer that sends the contents of a file or stream to a consumer, chunk by chunk,
 * optionally transforming each chunk (Twisted's `FileSender`).
 *
 * The consumer calls {@link FileSender.resumeProducing} whenever it wants more; each call
 * writes at most {@link FileSender.CHUNK_SIZE} bytes. A file descriptor is read synchronously
 * with `fs.readSync`, exactly as Twisted reads a file object; a `Readable` is read in paused
 * mode with `read()`, and when it has nothing buffered yet the chunk is written as soon as it
 * has. The source is never closed by the sender: it belongs to the caller.
 */
export class FileSender implements IPullProducer {
  /** Bytes per chunk (Twisted's 2^14). */
  CHUNK_SIZE: number = 2 ** 14;
  /** The last byte written (empty before any byte was). */
  lastSent: Buffer = EMPTY;

  #source: FileSource | undefined;
  #consumer: IConsumer | undefined;
  #transform: ChunkTransform | undefined;
  #deferred: Deferred<Buffer> | undefined;
  #waiting: (() => void) | undefined;

  /**
   * Register as a (non-streaming) producer with `consumer` and start sending `file`.
   *
   * @param transform Called with each chunk read; its result is written instead.
   * @returns A Deferred that fires with the last byte written (a one-byte Buffer; empty for an
   *   empty file) once everything was written and the producer unregistered. It fails with a
   *   `TorsionError` ("Consumer asked us to stop producing") when the consumer calls
   *   {@link FileSender.stopProducing} first, or with the stream's error if a `Readable` fails.
   */
  beginFileTransfer(
    file: FileSource,
    consumer: IConsumer,
    transform?: ChunkTransform,
  ): Deferred<Buffer> {
    this.#source = file;
    this.#consumer = consumer;
    this.#transform = transform;
    const d = new Deferred<Buffer>();
    this.#deferred = d;
    if (typeof file !== "number") {
      file.once("error", (err: Error) => this.#fail(err));
    }
    consumer.registerProducer(this, false);
    return d;
  }

  /** Write the next chunk, or finish when the source is exhausted. */
  resumeProducing(): void {
    const source = this.#source;
    if (source === undefined || this.#waiting !== undefined) return;
    if (typeof source === "number") {
      const buf = Buffer.allocUnsafe(this.CHUNK_SIZE);
      const n = readSync(source, buf, 0, buf.length, null);
      if (n === 0) this.#finish();
      else this.#write(buf.subarray(0, n));
      return;
    }
    this.#readStream(source);
  }

  /** Nothing to do: a pull producer only writes when asked to. */
  pauseProducing(): void {}

  /** The consumer gives up: fail the Deferred. */
  stopProducing(): void {
    this.#fail(new TorsionError("Consumer asked us to stop producing"));
  }

  #readStream(source: Readable): void {
    const chunk = source.read(
      Math.min(this.CHUNK_SIZE, source.readableLength || this.CHUNK_SIZE),
    ) as Buffer | string | null;
    if (chunk !== null) {
      this.#write(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
      return;
    }
    if (source.readableEnded || source.destroyed) {
      this.#finish();
      return;
    }
    // Nothing buffered yet: write as soon as something is (or finish at the end).
    const retry = (): void => {
      source.off("readable", retry);
      source.off("end", retry);
      this.#waiting = undefined;
      if (this.#source !== undefined) this.resumeProducing();
    };
    this.#waiting = retry;
    source.on("readable", retry);
    source.on("end", retry);
  }

  #write(chunk: Buffer): void {
    const out = this.#transform ? this.#transform(chunk) : chunk;
    this.#consumer?.write(out);
    this.lastSent = Buffer.from(out.subarray(out.length - 1));
  }

  #finish(): void {
    const consumer = this.#consumer;
    this.#release();
    consumer?.unregisterProducer();
    const d = this.#deferred;
    this.#deferred = undefined;
    d?.callback(this.lastSent);
  }

  #fail(err: Error): void {
    this.#release();
    const d = this.#deferred;
    this.#deferred = undefined;
    d?.errback(err);
  }

  #release(): void {
    const source = this.#source;
    const waiting = this.#waiting;
    if (source !== undefined && typeof source !== "number" && waiting !== undefined) {
      source.off("readable", waiting);
      source.off("end", waiting);
    }
    this.#waiting = undefined;
    this.#source = undefined;
    this.#consumer = undefined;
  }
}
