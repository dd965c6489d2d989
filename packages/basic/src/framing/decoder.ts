/**
 * The decoder contract: framing separated from handling (tokio-util's `Decoder`, Netty's
 * `ByteToMessageDecoder`), with Twisted's protocol classes as thin adapters on top.
 *
 * @module
 */
import { TorsionError } from "@torsion/core";
import type { Accumulator } from "./accumulator.ts";

/**
 * Parses frames off the front of an {@link Accumulator}. One instance per connection: a
 * decoder may remember how far it has scanned, so that input arriving in small chunks costs
 * linear time.
 */
export interface Decoder<Frame> {
  /**
   * Remove one frame from the front of `input` and return it, or return `undefined` (consuming
   * nothing) when more bytes are needed.
   *
   * @throws {@link DecodeError} when the buffered bytes can never form a valid frame (too long,
   *   malformed). The input is left as it was; the caller decides what to drop.
   */
  decode(input: Accumulator): Frame | undefined;

  /**
   * Called once at end of input, after `decode` returned `undefined`. Return a last frame, or
   * `undefined` when there is none. Without this method, leftover bytes are an error.
   */
  decodeEof?(input: Accumulator): Frame | undefined;
}

/**
 * The bytes can never form a valid frame. Subclasses say why. A {@link TorsionError}, like
 * every error Torsion raises.
 */
export class DecodeError extends TorsionError {}

/**
 * A decoder broke the {@link Decoder} contract: it returned a frame without consuming any
 * input, so calling it again would return the same frame forever (Netty's check in
 * `ByteToMessageDecoder.callDecode`). A bug in the decoder, not bad input: it is not a
 * {@link DecodeError}, and it stops the connection (or stream) that met it.
 */
export class DecoderContractError extends TorsionError {
  /** The decoder's class name. */
  readonly decoder: string;
  constructor(decoder: object) {
    const name = decoder.constructor?.name ?? "the decoder";
    super(`${name}.decode() returned a frame without consuming any input`);
    this.decoder = name;
  }
}

/**
 * Leftover bytes at end of input that do not form a frame.
 */
export class IncompleteFrameError extends DecodeError {
  /** How many bytes were left over. */
  readonly remaining: number;
  constructor(remaining: number) {
    super(`input ended inside a frame: ${remaining} bytes left over`);
    this.remaining = remaining;
  }
}

/**
 * Decode every complete frame in `input` (a convenience for tests and simple callers).
 *
 * @throws {@link DecodeError} as {@link Decoder.decode} does; frames decoded before the error are lost.
 */
export function decodeAll<Frame>(decoder: Decoder<Frame>, input: Accumulator): Frame[] {
  const out: Frame[] = [];
  for (;;) {
    const frame = decoder.decode(input);
    if (frame === undefined) return out;
    out.push(frame);
  }
}
