/**
 * Length-prefixed frames: an unsigned big-endian integer of 1, 2 or 4 bytes, then that many bytes.
 *
 * @module
 */
import type { Accumulator } from "./accumulator.ts";
import { DecodeError, type Decoder } from "./decoder.ts";

/** Twisted's `IntNStringReceiver.MAX_LENGTH`. */
export const DEFAULT_MAX_PREFIXED_LENGTH = 99999;

/** Width of a length prefix in bytes (Twisted's `"!B"`, `"!H"`, `"!I"`). */
export type PrefixLength = 1 | 2 | 4;

/** A length prefix announced more bytes than the decoder's limit. */
export class LengthLimitExceededError extends DecodeError {
  /** The announced length. */
  readonly length: number;
  /** The limit in force. */
  readonly maxLength: number;
  constructor(length: number, maxLength: number) {
    super(`frame length (${length}) exceeds the maximum (${maxLength})`);
    this.length = length;
    this.maxLength = maxLength;
  }
}

/** Options for {@link IntPrefixDecoder}. */
export interface IntPrefixDecoderOptions {
  /** Width of the prefix: 1, 2 or 4 bytes. */
  prefixLength: PrefixLength;
  /** The longest payload accepted, in bytes. Default 99999, as Twisted. */
  maxLength?: number;
}

/**
 * Decodes frames prefixed with their length as an unsigned big-endian integer, as Twisted's
 * `Int8StringReceiver`, `Int16StringReceiver` and `Int32StringReceiver`. Zero-length frames
 * are frames (an empty Buffer).
 *
 * A prefix over `maxLength` throws {@link LengthLimitExceededError} as soon as the prefix has
 * arrived, before any of the payload is buffered. Constant work per call: the prefix is read
 * once the bytes are there and the payload is waited for by count.
 */
export class IntPrefixDecoder implements Decoder<Buffer> {
  /** Width of the prefix in bytes. */
  readonly prefixLength: PrefixLength;
  /** The longest payload accepted. */
  readonly maxLength: number;

  constructor(options: IntPrefixDecoderOptions) {
    const p = options.prefixLength;
    if (p !== 1 && p !== 2 && p !== 4)
      throw new RangeError(`prefixLength must be 1, 2 or 4, got ${p}`);
    const max = options.maxLength ?? DEFAULT_MAX_PREFIXED_LENGTH;
    if (!Number.isSafeInteger(max) || max < 0)
      throw new RangeError(`maxLength must be a non-negative integer, got ${max}`);
    this.prefixLength = p;
    this.maxLength = max;
  }

  /**
   * Remove one frame from the front of `input` and return its payload, or `undefined`.
   *
   * @throws {@link LengthLimitExceededError} when the prefix exceeds `maxLength`; nothing is consumed.
   */
  decode(input: Accumulator): Buffer | undefined {
    const p = this.prefixLength;
    const avail = input.length;
    if (avail < p) return undefined;
    const length = input.readUIntBE(0, p);
    if (length > this.maxLength) throw new LengthLimitExceededError(length, this.maxLength);
    if (avail < p + length) return undefined;
    input.skip(p);
    return input.take(length);
  }
}
