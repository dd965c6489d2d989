/**
 * `LineReceiver`: lines and raw data, after `twisted.protocols.basic.LineReceiver`.
 *
 * @module
 */

import type { ITCPTransport, ITransport } from "@torsion/core";
import { Accumulator } from "./framing/accumulator.ts";
import { DEFAULT_MAX_LINE_LENGTH, LineDecoder, LineTooLongError } from "./framing/line-decoder.ts";
import { PauseableProtocol } from "./pauseable.ts";

const CRLF: Buffer = Buffer.from("\r\n");

/** `transport.disconnecting`, for transports that have it (Twisted's `ITCPTransport`). */
export function isDisconnecting(transport: ITransport): boolean {
  return (transport as Partial<ITCPTransport>).disconnecting === true;
}

/** Encode `data` (strings as UTF-8). */
export function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? Buffer.from(data, "utf8") : data;
}

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
export class LineReceiver extends PauseableProtocol {
  /** The line delimiter (Twisted's default `"\r\n"`). Strings are UTF-8. */
  delimiter: string | Uint8Array = CRLF;
  /** The longest line accepted, delimiter excluded (Twisted's default 16384). */
  MAX_LENGTH: number = DEFAULT_MAX_LINE_LENGTH;
  /** `true` in line mode (the default), `false` in raw mode. Twisted's `line_mode`. */
  lineMode = true;

  readonly #buffer = new Accumulator();
  #decoder: LineDecoder | undefined;
  #decoderDelimiter: string | Uint8Array | undefined;
  #decoderMax = -1;
  #busyReceiving = false;

  /** Called with each line, delimiter removed. Override it; the default throws. */
  lineReceived(_line: Buffer): void {
    throw new Error(`${this.constructor.name} must override lineReceived`);
  }

  /** Called with raw data in raw mode. Override it if you use raw mode; the default throws. */
  rawDataReceived(_data: Buffer): void {
    throw new Error(`${this.constructor.name} must override rawDataReceived to use raw mode`);
  }

  /** Write `line` followed by the delimiter. */
  sendLine(line: string | Uint8Array): void {
    const bytes = toBytes(line);
    const delimiter = toBytes(this.delimiter);
    const out = Buffer.allocUnsafe(bytes.length + delimiter.length);
    out.set(bytes, 0);
    out.set(delimiter, bytes.length);
    this.transport.write(out);
  }

  /**
   * A line exceeded `MAX_LENGTH` (see the class doc for the exact rule). `line` holds
   * everything that was buffered, starting with (at least part of) the long line; the buffer
   * is empty when this is called. The default closes the connection, as Twisted does.
   */
  lineLengthExceeded(_line: Buffer): void {
    this.transport.loseConnection();
  }

  /** Remove and return everything buffered (empty when nothing is). Safe inside callbacks. */
  clearLineBuffer(): Buffer {
    return this.#buffer.takeAll();
  }

  /**
   * Switch to line mode. Pass the unprocessed tail of a raw chunk as `extra`: it is parsed for
   * lines (after anything received in the meantime). Do not pass `extra` from `lineReceived`:
   * the rest of the buffer is still there and will be parsed anyway.
   */
  setLineMode(extra?: Uint8Array): void {
    this.lineMode = true;
    if (extra !== undefined && extra.length > 0) {
      this.dataReceived(
        Buffer.isBuffer(extra) ? extra : Buffer.from(extra.buffer, extra.byteOffset, extra.length),
      );
    }
  }

  /** Switch to raw mode: further data goes to {@link LineReceiver.rawDataReceived}. */
  setRawMode(): void {
    this.lineMode = false;
  }

  override dataReceived(data: Buffer): void {
    const buffer = this.#buffer;
    buffer.push(data);
    // Re-entered from a callback (setLineMode(extra), a synchronous echo): just queue the
    // bytes; the loop below, already running, delivers them.
    if (this.#busyReceiving) return;
    this.#busyReceiving = true;
    try {
      this.#deliver(buffer);
    } finally {
      this.#busyReceiving = false;
    }
  }

  #deliver(buffer: Accumulator): void {
    while (buffer.length > 0 && !this.paused) {
      if (this.lineMode) {
        if (!this.#deliverLines(buffer)) return;
      } else {
        this.rawDataReceived(buffer.takeAll());
      }
    }
  }

  /**
   * Deliver lines while nothing that governs them changes: the hot loop, one line per turn
   * with no re-entry into the outer loop. Returns `false` when no more can be delivered now
   * (no complete line, paused, closing, a long line handled), `true` when a callback switched
   * to raw mode or changed `delimiter`/`MAX_LENGTH` (the caller goes round again).
   */
  #deliverLines(buffer: Accumulator): boolean {
    const transport = this.hasTransport ? this.transport : undefined;
    const decoder = this.#lineDecoder();
    const delimiter = this.delimiter;
    const max = this.MAX_LENGTH;
    // Checked before each line (Twisted checks after each): also holds for data that
    // arrives after the close, which a real transport would not deliver anyway.
    if (transport !== undefined && isDisconnecting(transport)) return false;
    // One try around the loop, not one per line; `decoding` tells the decoder's limit error
    // from anything a callback throws, which propagates untouched.
    let decoding = true;
    try {
      for (;;) {
        const line = decoder.decode(buffer);
        if (line === undefined) return false;
        decoding = false;
        this.lineReceived(line);
        // A callback may pause, switch mode, change the framing or close between lines.
        if (this.paused || (transport !== undefined && isDisconnecting(transport))) return false;
        if (!this.lineMode || this.delimiter !== delimiter || this.MAX_LENGTH !== max) return true;
        decoding = true;
      }
    } catch (err) {
      if (!decoding || !(err instanceof LineTooLongError)) throw err;
      this.lineLengthExceeded(buffer.takeAll());
      return false;
    }
  }

  #lineDecoder(): LineDecoder {
    // Subclasses set `delimiter`/`MAX_LENGTH` as fields (and tests change them on instances),
    // so the decoder follows them rather than being built once in the constructor.
    const d = this.#decoder;
    if (
      d !== undefined &&
      this.#decoderDelimiter === this.delimiter &&
      this.#decoderMax === this.MAX_LENGTH
    )
      return d;
    this.#decoderDelimiter = this.delimiter;
    this.#decoderMax = this.MAX_LENGTH;
    return (this.#decoder = new LineDecoder({
      delimiter: this.delimiter,
      maxLength: this.MAX_LENGTH,
    }));
  }
}
