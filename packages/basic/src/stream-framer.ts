/**
 * The framing driver without a connection, for {@link DecoderTransform}. Internal.
 *
 * @module
 */
import { FramedProtocol } from "./framed-protocol.ts";
import type { DecodeError, Decoder } from "./framing/decoder.ts";

/**
 * A {@link FramedProtocol} that is never connected: it hands each frame to `deliver` and keeps
 * the first error (a {@link DecodeError}, or anything the decoder or `deliver` throws) for its
 * caller instead of closing anything. Once an error was met, the input is dropped and nothing
 * more is delivered.
 */
export class StreamFramer<Frame> extends FramedProtocol<Frame> {
  readonly #decoder: Decoder<Frame>;
  readonly #deliver: (frame: Frame) => void;
  #error: Error | undefined;

  constructor(decoder: Decoder<Frame>, deliver: (frame: Frame) => void) {
    super();
    this.#decoder = decoder;
    this.#deliver = deliver;
  }

  /** Bytes received and not yet part of a frame. */
  get bufferedBytes(): number {
    return this.receiveBuffer.length;
  }

  /** Decode `chunk` and deliver its frames; the error that stopped it, if any. */
  feed(chunk: Buffer): Error | undefined {
    return this.#guard(() => this.dataReceived(chunk));
  }

  /** End of input: deliver the last frame `decodeEof` makes; the error, if any. */
  end(): Error | undefined {
    return this.#guard(() => this.endOfFrames());
  }

  protected override currentDecoder(): Decoder<Frame> {
    return this.#decoder;
  }

  protected override frameReceived(frame: Frame): void {
    this.#deliver(frame);
  }

  protected override frameDecodeFailed(error: DecodeError): void {
    this.#error ??= error;
    this.paused = true;
  }

  #guard(step: () => void): Error | undefined {
    if (this.#error === undefined) {
      try {
        step();
      } catch (err) {
        this.#error ??= err instanceof Error ? err : new Error(String(err));
        this.paused = true;
      }
    }
    if (this.#error !== undefined) this.receiveBuffer.clear();
    return this.#error;
  }
}
