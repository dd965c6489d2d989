/**
 * `LineReceiver`: lines and raw data, after `twisted.protocols.basic.LineReceiver`.
 *
 * @module
 */

import { containRejection, type HookResult } from "./callback-failure.ts";
import { FramedProtocol } from "./framed-protocol.ts";
import type { Accumulator } from "./framing/accumulator.ts";
import type { DecodeError, Decoder } from "./framing/decoder.ts";
import { DEFAULT_MAX_LINE_LENGTH, LineDecoder } from "./framing/line-decoder.ts";
import { LineEncoder } from "./framing/line-encoder.ts";

const CRLF: Buffer = Buffer.from("\r\n");

/** Raw mode's framing: everything buffered is one frame. */
const RAW: Decoder<Buffer> = {
  decode(input: Accumulator): Buffer | undefined {
    return input.length > 0 ? input.takeAll() : undefined;
  },
};

/**
 * A protocol that receives lines and/or raw data, depending on mode: in line mode each line
 * goes to {@link LineReceiver.lineReceived}, in raw mode each chunk of data goes to
 * {@link LineReceiver.rawDataReceived}. Switch with {@link LineReceiver.setRawMode} and
 * {@link LineReceiver.setLineMode}, from inside those callbacks as often as you like: a switch
 * made inside a callback only changes the mode (and queues `extra` bytes), and the one
 * delivery loop picks it up, so there is no recursion however many times the mode flips.
 *
 * Delimiter policy: lines end with exactly {@link LineReceiver.delimiter} (default `"\r\n"`);
 * a bare `"\n"` is part of the line. Set `delimiter` in a subclass for other conventions.
 *
 * Limits, exactly as Twisted: a complete line longer than `MAX_LENGTH`, or `MAX_LENGTH +
 * delimiter.length` buffered bytes without a delimiter, calls
 * {@link LineReceiver.lineLengthExceeded} with *everything buffered* (the long line, its
 * delimiter if any, and whatever followed) and empties the buffer; the default closes the
 * connection. At most `MAX_LENGTH + delimiter.length + one chunk` bytes are ever buffered.
 *
 * As a push producer (register it with a consumer, or call the methods yourself),
 * {@link LineReceiver.pauseProducing} holds back lines already received and pauses the
 * transport; {@link LineReceiver.resumeProducing} delivers them. No line is delivered after
 * the protocol called `transport.loseConnection()` (they stay buffered).
 *
 * Linear time whatever the chunking: the scan position is kept between chunks, so a 1.6 MB
 * line in 1 KiB chunks is scanned once (Twisted rescans it per chunk: quadratic).
 */
export class LineReceiver extends FramedProtocol<Buffer> {
  /** The line delimiter (Twisted's default `"\r\n"`). Strings are UTF-8. */
  delimiter: string | Uint8Array = CRLF;
  /** The longest line accepted, delimiter excluded (Twisted's default 16384). */
  MAX_LENGTH: number = DEFAULT_MAX_LINE_LENGTH;
  /** `true` in line mode (the default), `false` in raw mode. Twisted's `line_mode`. */
  lineMode = true;

  #decoder: LineDecoder | undefined;
  #decoderDelimiter: string | Uint8Array | undefined;
  #decoderMax = -1;
  /** The mode the decoder last handed out is for. */
  #decoderLineMode = true;
  #encoder: LineEncoder | undefined;
  #encoderDelimiter: string | Uint8Array | undefined;

  /** Called with each line, delimiter removed. Override it (it may be `async`); the default throws. */
  lineReceived(_line: Buffer): HookResult {
    throw new Error(`${this.constructor.name} must override lineReceived`);
  }

  /**
   * Called with raw data in raw mode. Override it (it may be `async`) if you use raw mode; the
   * default throws.
   */
  rawDataReceived(_data: Buffer): HookResult {
    throw new Error(`${this.constructor.name} must override rawDataReceived to use raw mode`);
  }

  /** Write `line` followed by the delimiter (one write). */
  sendLine(line: string | Uint8Array): void {
    let encoder = this.#encoder;
    if (encoder === undefined || this.#encoderDelimiter !== this.delimiter) {
      this.#encoderDelimiter = this.delimiter;
      encoder = this.#encoder = new LineEncoder({ delimiter: this.delimiter });
    }
    this.transport.write(encoder.encode(line));
  }

  /**
   * A line exceeded `MAX_LENGTH` (see the class doc for the exact rule). `line` holds
   * everything that was buffered, starting with (at least part of) the long line; the buffer
   * is empty when this is called. The default closes the connection, as Twisted does. May be
   * `async`.
   */
  lineLengthExceeded(_line: Buffer): HookResult {
    this.transport.loseConnection();
  }

  /** Remove and return everything buffered (empty when nothing is). Safe inside callbacks. */
  clearLineBuffer(): Buffer {
    return this.receiveBuffer.takeAll();
  }

  /**
   * Switch to line mode. Pass the unprocessed tail of a raw chunk as `extra`: it is parsed for
   * lines (after anything received in the meantime). Do not pass `extra` from `lineReceived`:
   * the rest of the buffer is still there and will be parsed anyway.
   */
  setLineMode(extra?: Uint8Array): void {
    this.lineMode = true;
    this.framingChanged();
    if (extra !== undefined && extra.length > 0) {
      this.dataReceived(
        Buffer.isBuffer(extra) ? extra : Buffer.from(extra.buffer, extra.byteOffset, extra.length),
      );
    }
  }

  /** Switch to raw mode: further data goes to {@link LineReceiver.rawDataReceived}. */
  setRawMode(): void {
    this.lineMode = false;
    this.framingChanged();
  }

  protected override currentDecoder(): Decoder<Buffer> {
    this.#decoderLineMode = this.lineMode;
    if (!this.lineMode) return RAW;
    // Subclasses set `delimiter`/`MAX_LENGTH` as fields (and tests change them on instances,
    // even from inside lineReceived), so the decoder follows them rather than being built
    // once in the constructor. Asked once per line: the rebuild is kept out of line.
    const d = this.#decoder;
    if (
      d !== undefined &&
      this.#decoderDelimiter === this.delimiter &&
      this.#decoderMax === this.MAX_LENGTH
    )
      return d;
    return this.#newDecoder();
  }

  #newDecoder(): LineDecoder {
    this.#decoderDelimiter = this.delimiter;
    this.#decoderMax = this.MAX_LENGTH;
    return (this.#decoder = new LineDecoder({
      delimiter: this.delimiter,
      maxLength: this.MAX_LENGTH,
    }));
  }

  protected override frameReceived(frame: Buffer): void {
    // The mode cannot change between the decode and this call: it is the mode of the frame.
    const lineMode = this.lineMode;
    const result = lineMode ? this.lineReceived(frame) : this.rawDataReceived(frame);
    if (result !== undefined)
      containRejection(this, result, lineMode ? "lineReceived" : "rawDataReceived");
    // A hook may also assign `lineMode`, `delimiter` or `MAX_LENGTH` directly, between lines.
    if (
      this.lineMode !== this.#decoderLineMode ||
      this.delimiter !== this.#decoderDelimiter ||
      this.MAX_LENGTH !== this.#decoderMax
    )
      this.framingChanged();
  }

  /** Only the line decoder fails (raw mode cannot): the limit rule of the class doc. */
  protected override frameDecodeFailed(_error: DecodeError): void {
    containRejection(
      this,
      this.lineLengthExceeded(this.receiveBuffer.takeAll()),
      "lineLengthExceeded",
    );
  }
}
