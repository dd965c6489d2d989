/**
 * Length-prefixed frames on the wire: the length as an unsigned big-endian integer, then the bytes.
 *
 * @module
 */
import { TorsionError } from "@torsion/core";
import { type Encoder, toBytes } from "./encoder.ts";
import type { PrefixLength } from "./int-prefix-decoder.ts";

/** A string is longer than its length prefix can express (Twisted's name). */
export class StringTooLongError extends TorsionError {
  /** The string's length. */
  readonly length: number;
  /** The longest string the prefix can express. */
  readonly maxLength: number;
  constructor(length: number, maxLength: number) {
    super(`string length (${length}) exceeds the maximum (${maxLength}) of the length prefix`);
    this.length = length;
    this.maxLength = maxLength;
  }
}

/**
 * Encode `data` with a big-endian length prefix of `prefixLength` bytes.
 *
 * @throws {@link StringTooLongError} when the prefix cannot hold the length
 *   (2^(8 × prefixLength) bytes or more).
 */
export function encodeIntPrefixed(data: string | Uint8Array, prefixLength: PrefixLength): Buffer {
  const payload = toBytes(data);
  const limit = 2 ** (8 * prefixLength);
  if (payload.length >= limit) {
    throw new StringTooLongError(payload.length, limit - 1);
  }
  const out = Buffer.allocUnsafe(prefixLength + payload.length);
  out.writeUIntBE(payload.length, 0, prefixLength);
  out.set(payload, prefixLength);
  return out;
}

/** Options for {@link IntPrefixEncoder}. */
export interface IntPrefixEncoderOptions {
  /** Width of the prefix: 1, 2 or 4 bytes. */
  prefixLength: PrefixLength;
}

/**
 * Encodes frames for {@link IntPrefixDecoder} ({@link encodeIntPrefixed} as an
 * {@link Encoder}).
 */
export class IntPrefixEncoder implements Encoder<string | Uint8Array> {
  /** Width of the prefix in bytes. */
  readonly prefixLength: PrefixLength;

  constructor(options: IntPrefixEncoderOptions) {
    const p = options.prefixLength;
    if (p !== 1 && p !== 2 && p !== 4)
      throw new RangeError(`prefixLength must be 1, 2 or 4, got ${p}`);
    this.prefixLength = p;
  }

  /**
   * `data` with its length prefix, in one buffer.
   *
   * @throws {@link StringTooLongError} when the prefix cannot hold the length.
   */
  encode(data: string | Uint8Array): Buffer {
    return encodeIntPrefixed(data, this.prefixLength);
  }
}
