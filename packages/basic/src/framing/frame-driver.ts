/**
 * The one decode loop every framing protocol and {@link DecoderTransform} runs (tokio-util's
 * `Framed`, Netty's `ByteToMessageDecoder.callDecode`). Internal.
 *
 * @module
 */
import { Accumulator } from "./accumulator.ts";
import {
  DecodeError,
  type Decoder,
  DecoderContractError,
  IncompleteFrameError,
} from "./decoder.ts";

/** What a {@link FrameDriver} delivers to. */
export interface FrameSink<Frame> {
  /** The decoder for the next frame: asked before every frame, so framing may change between frames. */
  nextDecoder(): Decoder<Frame>;
  /** `false` stops delivery for now (paused, closing); the bytes stay buffered. */
  canDeliver(): boolean;
  /** One decoded frame. */
  frame(frame: Frame): void;
  /**
   * The decoder threw `error`. The bytes are still buffered: the sink takes what it reports
   * (if it takes nothing, the driver drops everything buffered, so bad input cannot pile up).
   * Delivery stops until more data arrives.
   */
  decodeFailed(error: DecodeError): void;
}

/**
 * Owns the accumulator and the loop: buffers what arrives, decodes and delivers frames while
 * the sink can take them, and enforces the decoder contract once for every decoder.
 *
 * Re-entrant: data received from inside a sink callback (a mode switch handing back bytes, a
 * synchronous echo, `resumeProducing`) is queued, and the loop already running delivers it,
 * so there is no recursion whatever the callbacks do.
 */
export class FrameDriver<Frame> {
  /** Bytes received and not yet part of a delivered frame. */
  readonly input: Accumulator = new Accumulator();
  readonly #sink: FrameSink<Frame>;
  #busy = false;

  constructor(sink: FrameSink<Frame>) {
    this.#sink = sink;
  }

  /**
   * Buffer `data` and deliver every frame the sink can take now.
   *
   * @throws {@link DecoderContractError} when a decoder returned a frame without consuming;
   *   anything a sink callback or a decoder throws other than a {@link DecodeError}.
   */
  receive(data: Buffer): void {
    const input = this.input;
    input.push(data);
    if (this.#busy) return;
    this.#busy = true;
    try {
      this.#deliver(input);
    } finally {
      this.#busy = false;
    }
  }

  /**
   * End of input: deliver what the decoder's `decodeEof` makes of the leftover bytes, or report
   * {@link IncompleteFrameError} through `decodeFailed` when it has none.
   */
  end(): void {
    const input = this.input;
    if (input.length === 0) return;
    const sink = this.#sink;
    const decoder = sink.nextDecoder();
    let last: Frame | undefined;
    try {
      if (decoder.decodeEof === undefined) throw new IncompleteFrameError(input.length);
      last = decoder.decodeEof(input);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      this.#failed(err, input.consumed);
      return;
    }
    if (last !== undefined) sink.frame(last);
  }

  #deliver(input: Accumulator): void {
    const sink = this.#sink;
    // One try around the loop rather than one per frame (measurably cheaper on the line hot
    // path); `decoding` tells a decoder's error from one a callback throws, which propagates.
    let decoding = false;
    let before = 0;
    try {
      while (input.length > 0 && sink.canDeliver()) {
        const decoder = sink.nextDecoder();
        before = input.consumed;
        decoding = true;
        const frame = decoder.decode(input);
        decoding = false;
        if (frame === undefined) return;
        if (input.consumed === before) throw new DecoderContractError(decoder);
        sink.frame(frame);
      }
    } catch (err) {
      if (!decoding || !(err instanceof DecodeError)) throw err;
      this.#failed(err, before);
    }
  }

  #failed(error: DecodeError, before: number): void {
    this.#sink.decodeFailed(error);
    // A hook that reported nothing would leave the bad bytes to be met again, and grow.
    if (this.input.consumed === before) this.input.clear();
  }
}
