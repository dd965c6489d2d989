/**
 * `LineOnlyReceiver`: lines only, after `twisted.protocols.basic.LineOnlyReceiver`.
 *
 * @module
 */
import { Protocol } from "@torsion/core";
import { Accumulator } from "./framing/accumulator.ts";
import { DEFAULT_MAX_LINE_LENGTH, LineDecoder } from "./framing/line-decoder.ts";
import { isDisconnecting, toBytes } from "./line-receiver.ts";

const CRLF: Buffer = Buffer.from("\r\n");

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
export class LineOnlyReceiver extends Protocol {
  /** The line delimiter (default `"\r\n"`). Strings are UTF-8. */
  delimiter: string | Uint8Array = CRLF;
  /** The longest line accepted, delimiter excluded (default 16384). */
  MAX_LENGTH: number = DEFAULT_MAX_LINE_LENGTH;

  readonly #buffer = new Accumulator();
  #decoder: LineDecoder | undefined;
  #decoderDelimiter: string | Uint8Array | undefined;

  /** Called with each line, delimiter removed. Override it; the default throws. */
  lineReceived(_line: Buffer): void {
    throw new Error(`${this.constructor.name} must override lineReceived`);
  }

  /** Write `line` followed by the delimiter (one `writeSequence`, as Twisted). */
  sendLine(line: string | Uint8Array): void {
    this.transport.writeSequence([toBytes(line), toBytes(this.delimiter)]);
  }

  /** A line exceeded `MAX_LENGTH` (see the class doc). The default closes the connection. */
  lineLengthExceeded(_line: Buffer): void {
    this.transport.loseConnection();
  }

  override dataReceived(data: Buffer): void {
    const buffer = this.#buffer;
    const decoder = this.#lineDecoder();
    const dlen = decoder.delimiter.length;
    const max = this.MAX_LENGTH;
    buffer.push(data);
    for (;;) {
      const line = decoder.decode(buffer);
      if (line === undefined) break;
      if (isDisconnecting(this.transport)) {
        this.#dropCompleteLines(decoder.delimiter, dlen);
        return;
      }
      if (line.length > max) {
        this.#dropCompleteLines(decoder.delimiter, dlen);
        this.lineLengthExceeded(line);
        return;
      }
      this.lineReceived(line);
    }
    if (buffer.length > max) this.lineLengthExceeded(buffer.takeAll());
  }

  /** Drop the complete lines still buffered, keeping the unterminated rest (Twisted's split). */
  #dropCompleteLines(delimiter: Buffer, dlen: number): void {
    const last = this.#buffer.lastIndexOf(delimiter);
    if (last >= 0) this.#buffer.skip(last + dlen);
  }

  #lineDecoder(): LineDecoder {
    const d = this.#decoder;
    if (d !== undefined && this.#decoderDelimiter === this.delimiter) return d;
    this.#decoderDelimiter = this.delimiter;
    // The limit is applied here, by LineOnlyReceiver's own rule, not by the decoder's.
    return (this.#decoder = new LineDecoder({ delimiter: this.delimiter, maxLength: "unlimited" }));
  }
}
