/**
 * Splits a byte stream into lines on an exact delimiter.
 *
 * @module
 */
import type { Accumulator } from "./accumulator.ts";
import { DecodeError, type Decoder, IncompleteFrameError } from "./decoder.ts";

/** Twisted's `LineReceiver.MAX_LENGTH`. */
export const DEFAULT_MAX_LINE_LENGTH = 16384;

/** A line (or buffered unterminated data) is longer than the decoder's limit. */
export class LineTooLongError extends DecodeError {
  /** The line's length, or the number of buffered bytes when no delimiter was seen yet. */
  readonly length: number;
  /** The limit in force. */
  readonly maxLength: number;
  /** `true` when the delimiter was found (a complete line is too long). */
  readonly terminated: boolean;
  constructor(length: number, maxLength: number, terminated: boolean) {
    super(
      terminated
        ? `line length (${length}) exceeds the maximum (${maxLength})`
        : `line length (at least ${length}, no delimiter yet) exceeds the maximum (${maxLength})`,
    );
    this.length = length;
    this.maxLength = maxLength;
    this.terminated = terminated;
  }
}

/** Options for {@link LineDecoder}. */
export interface LineDecoderOptions {
  /** The line delimiter; strings are UTF-8. Default `"\r\n"`. Must not be empty. */
  delimiter?: string | Uint8Array;
  /**
   * The longest line accepted, in bytes, delimiter excluded. Default 16384. An unlimited
   * decoder must be asked for by name, `"unlimited"`: it buffers whatever the peer sends.
   */
  maxLength?: number | "unlimited" | undefined;
  /**
   * At end of input, deliver leftover bytes as a last, unterminated line (as `readline` does
   * for a file without a final newline). Default `false`: leftovers are an error.
   */
  finalLine?: boolean;
}

/**
 * Decodes lines: each frame is the bytes before the next delimiter, delimiter removed.
 *
 * Delimiter policy: the decoder splits on exactly `delimiter` and nothing else, as Twisted's
 * `LineReceiver` does. With the default `"\r\n"`, a bare `"\n"` or `"\r"` is part of the line
 * (unlike Netty's `LineBasedFrameDecoder`, which also accepts `"\n"`; accepting both is how
 * SMTP smuggling happens). Use `delimiter: "\n"` for newline-terminated text.
 *
 * Limits, as Twisted's `LineReceiver`: a complete line longer than `maxLength` fails; so do
 * `maxLength + delimiter.length` or more buffered bytes with no delimiter (fewer could still
 * end with a delimiter that has only partly arrived). Failing throws {@link LineTooLongError}
 * and consumes nothing.
 *
 * Linear time: the position up to which the input is known to hold no delimiter is kept
 * between calls, so every byte is scanned once however the input is chunked.
 */
export class LineDecoder implements Decoder<Buffer> {
  /** The delimiter, as bytes. */
  readonly delimiter: Buffer;
  /** The limit, `Infinity` when unlimited. */
  readonly maxLength: number;
  /** What is searched for: the delimiter, or its only byte as a number (Buffer.indexOf is fastest that way). */
  readonly #needle: number | Buffer;
  readonly #dlen: number;
  readonly #finalLine: boolean;
  /** Absolute stream offset (see {@link Accumulator.consumed}) where the next search starts. */
  #scanFrom = 0;

  constructor(options: LineDecoderOptions = {}) {
    const d = options.delimiter ?? "\r\n";
    this.delimiter = typeof d === "string" ? Buffer.from(d, "utf8") : Buffer.from(d);
    if (this.delimiter.length === 0) throw new RangeError("the line delimiter must not be empty");
    const max = options.maxLength ?? DEFAULT_MAX_LINE_LENGTH;
    if (max === "unlimited") {
      this.maxLength = Number.POSITIVE_INFINITY;
    } else if (!Number.isInteger(max) || max < 0) {
      throw new RangeError(`maxLength must be a non-negative integer or "unlimited", got ${max}`);
    } else {
      this.maxLength = max;
    }
    this.#finalLine = options.finalLine ?? false;
    this.#dlen = this.delimiter.length;
    this.#needle = this.#dlen === 1 ? this.delimiter[0]! : this.delimiter;
  }

  /**
   * Remove one line (without its delimiter) from the front of `input`, or return `undefined`.
   *
   * @throws {@link LineTooLongError} as described on the class; nothing is consumed then.
   */
  decode(input: Accumulator): Buffer | undefined {
    const base = input.consumed;
    let from = this.#scanFrom - base;
    if (from < 0) from = 0;
    const dlen = this.#dlen;
    const needle = this.#needle;
    const i = input.indexOf(needle, from);
    if (i < 0) return this.#noDelimiter(input, base);
    if (i > this.maxLength) throw new LineTooLongError(i, this.maxLength, true);
    return input.takeFrame(i, dlen);
  }

  /**
   * No delimiter yet: remember how far the input holds none, or fail when too much is
   * buffered. Out of line: `decode` runs once per line and is kept small enough to inline.
   */
  #noDelimiter(input: Accumulator, base: number): undefined {
    const buffered = input.length;
    const dlen = this.#dlen;
    if (buffered >= this.maxLength + dlen)
      throw new LineTooLongError(buffered, this.maxLength, false);
    // A delimiter may start in the last dlen - 1 bytes and finish in the next chunk.
    const next = buffered - dlen + 1;
    this.#scanFrom = base + (next > 0 ? next : 0);
    return undefined;
  }

  /**
   * At end of input: the leftover bytes as a last line when `finalLine` was asked for.
   *
   * @throws {@link IncompleteFrameError} for leftovers without `finalLine`;
   *   {@link LineTooLongError} when they exceed the limit.
   */
  decodeEof(input: Accumulator): Buffer | undefined {
    const buffered = input.length;
    if (buffered === 0) return undefined;
    if (!this.#finalLine) throw new IncompleteFrameError(buffered);
    if (buffered > this.maxLength) throw new LineTooLongError(buffered, this.maxLength, false);
    return input.takeAll();
  }

  /** Forget the scan position (only needed if the input was replaced by another accumulator). */
  reset(): void {
    this.#scanFrom = 0;
  }
}
