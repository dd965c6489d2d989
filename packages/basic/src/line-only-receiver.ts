/**
 * `LineOnlyReceiver`: lines only, after `twisted.protocols.basic.LineOnlyReceiver`.
 *
 * @module
 */
import { containRejection, type HookResult } from "./callback-failure.ts";
import { FramedProtocol } from "./framed-protocol.ts";
import type { Accumulator } from "./framing/accumulator.ts";
import type { DecodeError, Decoder } from "./framing/decoder.ts";
import { DEFAULT_MAX_LINE_LENGTH, LineDecoder, LineTooLongError } from "./framing/line-decoder.ts";
import { LineEncoder } from "./framing/line-encoder.ts";

const CRLF: Buffer = Buffer.from("\r\n");

/**
 * LineOnlyReceiver's limit rule as a decoder: a complete line longer than `max` fails (as
 * LineDecoder's own rule, before it is taken), and so does an unterminated rest longer than
 * `max` once every complete line was taken (Twisted's check at the end of each chunk).
 */
class LineOnlyDecoder implements Decoder<Buffer> {
  readonly lines: LineDecoder;
  readonly max: number;
  constructor(delimiter: string | Uint8Array, max: number) {
    this.lines = new LineDecoder({ delimiter, maxLength: max });
    this.max = max;
  }
  decode(input: Accumulator): Buffer | undefined {
    const line = this.lines.decode(input);
    if (line === undefined && input.length > this.max)
      throw new LineTooLongError(input.length, this.max, false);
    return line;
  }
}

/**
 * A protocol that receives only lines: {@link LineReceiver} without raw mode and without
 * pausing, for protocols that never need them.
 *
 * Delimiter policy: lines end with exactly {@link LineOnlyReceiver.delimiter} (default
 * `"\r\n"`); a bare `"\n"` is part of the line.
 *
 * Its own limit rule, as Twisted's: each chunk received is split into lines; a complete line
 * longer than `MAX_LENGTH` calls {@link LineOnlyReceiver.lineLengthExceeded} with that line
 * and the other complete lines of the same chunk are dropped; then, if the unterminated rest
 * is longer than `MAX_LENGTH` (note: not `MAX_LENGTH + delimiter.length` as in
 * `LineReceiver`), `lineLengthExceeded` gets the rest. The default closes the connection.
 * Unlike Twisted, the rest is dropped once reported (Twisted keeps it, so a hook that does not
 * disconnect would make the buffer grow without bound).
 *
 * Lines of a chunk that follow one that made the protocol call `transport.loseConnection()`
 * are dropped, as in Twisted.
 */
export class LineOnlyReceiver extends FramedProtocol<Buffer> {
  /** The line delimiter (default `"\r\n"`). Strings are UTF-8. */
  delimiter: string | Uint8Array = CRLF;
  /** The longest line accepted, delimiter excluded (default 16384). */
  MAX_LENGTH: number = DEFAULT_MAX_LINE_LENGTH;

  #decoder: LineOnlyDecoder | undefined;
  #decoderDelimiter: string | Uint8Array | undefined;
  #encoder: LineEncoder | undefined;
  #encoderDelimiter: string | Uint8Array | undefined;

  /** Called with each line, delimiter removed. Override it (it may be `async`); the default throws. */
  lineReceived(_line: Buffer): HookResult {
    throw new Error(`${this.constructor.name} must override lineReceived`);
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
   * A line exceeded `MAX_LENGTH` (see the class doc). The default closes the connection. May
   * be `async`.
   */
  lineLengthExceeded(_line: Buffer): HookResult {
    this.transport.loseConnection();
  }

  protected override currentDecoder(): Decoder<Buffer> {
    const d = this.#decoder;
    if (d !== undefined && this.#decoderDelimiter === this.delimiter && d.max === this.MAX_LENGTH)
      return d;
    this.#decoderDelimiter = this.delimiter;
    return (this.#decoder = new LineOnlyDecoder(this.delimiter, this.MAX_LENGTH));
  }

  protected override frameReceived(line: Buffer): void {
    containRejection(this, this.lineReceived(line), "lineReceived");
  }

  /** A line over the limit (the decoder throws no other error). */
  protected override frameDecodeFailed(err: DecodeError): void {
    const input = this.receiveBuffer;
    let line: Buffer;
    if (err instanceof LineTooLongError && err.terminated) {
      const delimiter = this.#decoder!.lines.delimiter;
      line = input.takeFrame(err.length, delimiter.length);
      // The other complete lines of the chunk are dropped, the unterminated rest kept (Twisted's split).
      const last = input.lastIndexOf(delimiter);
      if (last >= 0) input.skip(last + delimiter.length);
    } else {
      line = input.takeAll();
    }
    containRejection(this, this.lineLengthExceeded(line), "lineLengthExceeded");
  }
}
