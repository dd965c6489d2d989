/**
 * Netstrings (<http://cr.yp.to/proto/netstrings.txt>): `<length>:<payload>,`.
 *
 * @module
 */
import type { Accumulator } from "./accumulator.ts";
import { DecodeError, type Decoder } from "./decoder.ts";

/** Twisted's `NetstringReceiver.MAX_LENGTH`. */
export const DEFAULT_MAX_NETSTRING_LENGTH = 99999;

const COLON = 0x3a;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;

function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

/** The input is not a valid netstring (Twisted's name). */
export class NetstringParseError extends DecodeError {}

/** Options for {@link NetstringDecoder}. */
export interface NetstringDecoderOptions {
  /** The longest payload accepted, in bytes. Default 99999, as Twisted. */
  maxLength?: number;
}

/**
 * Decodes netstrings strictly, as Twisted's `NetstringReceiver`: the length is `0` or a
 * decimal number without leading zeros, followed by `:`; exactly that many payload bytes
 * follow, then `,`. Anything else throws {@link NetstringParseError} as soon as the offending
 * byte arrives: a non-digit where the length is expected, a leading zero, a length over
 * `maxLength` (checked digit by digit, so a peer cannot send an endless number), or a byte
 * other than `,` after the payload.
 *
 * Linear time: the length is parsed incrementally across calls and the payload is waited for
 * by count, never rescanned.
 */
export class NetstringDecoder implements Decoder<Buffer> {
  /** The longest payload accepted. */
  readonly maxLength: number;
  /** Value of the length digits parsed so far, or -1 before the first digit. */
  #length = -1;
  /** Number of length bytes already parsed. */
  #scanned = 0;
  /** Length of the header (`<digits>:`) once the colon was seen, else 0. */
  #header = 0;
  /** Absolute stream offset of the frame being parsed. */
  #frameStart = -1;

  constructor(options: NetstringDecoderOptions = {}) {
    const max = options.maxLength ?? DEFAULT_MAX_NETSTRING_LENGTH;
    if (!Number.isSafeInteger(max) || max < 0)
      throw new RangeError(`maxLength must be a non-negative integer, got ${max}`);
    this.maxLength = max;
  }

  /**
   * Remove one netstring from the front of `input` and return its payload, or `undefined`.
   *
   * @throws {@link NetstringParseError} when the input is not a valid netstring; nothing is consumed.
   */
  decode(input: Accumulator): Buffer | undefined {
    const base = input.consumed;
    if (this.#frameStart !== base) {
      // A new frame (or the owner dropped bytes): parse its length afresh.
      this.#frameStart = base;
      this.#length = -1;
      this.#scanned = 0;
      this.#header = 0;
    }
    if (this.#header === 0) {
      const avail = input.length;
      let length = this.#length;
      let i = this.#scanned;
      for (; i < avail; i++) {
        const c = input.at(i)!;
        if (c === COLON) {
          if (length < 0) throw new NetstringParseError("netstring does not start with a length");
          break;
        }
        if (c < ZERO || c > NINE) {
          throw new NetstringParseError(
            length < 0
              ? "netstring does not start with a length"
              : `netstring length is followed by byte 0x${hex(c)}, not ":"`,
          );
        }
        if (length === 0) throw new NetstringParseError("netstring length has a leading zero");
        length = (length < 0 ? 0 : length * 10) + (c - ZERO);
        if (length > this.maxLength) {
          throw new NetstringParseError(
            `netstring length (${length}) exceeds the maximum (${this.maxLength})`,
          );
        }
      }
      this.#length = length;
      this.#scanned = i;
      if (i === avail) return undefined;
      this.#header = i + 1;
    }
    const headerLength = this.#header;
    const length = this.#length;
    const total = headerLength + length + 1;
    if (input.length < total) return undefined;
    const last = input.at(total - 1)!;
    if (last !== COMMA) {
      throw new NetstringParseError(
        `netstring payload of length ${length} is followed by byte 0x${hex(last)}, not ","`,
      );
    }
    input.skip(headerLength);
    return input.takeFrame(length, 1);
  }
}
