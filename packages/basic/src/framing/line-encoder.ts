/**
 * Lines on the wire: the line, then the delimiter.
 *
 * @module
 */
import { type Encoder, toBytes } from "./encoder.ts";

/** Options for {@link LineEncoder}. */
export interface LineEncoderOptions {
  /** The line delimiter; strings are UTF-8. Default `"\r\n"`. Must not be empty. */
  delimiter?: string | Uint8Array;
}

/**
 * Encodes lines for {@link LineDecoder}: the line's bytes (strings as UTF-8), then the
 * delimiter. As Twisted's `sendLine`, the line is not checked for the delimiter: a line that
 * contains it arrives as two lines.
 */
export class LineEncoder implements Encoder<string | Uint8Array> {
  /** The delimiter, as bytes. */
  readonly delimiter: Buffer;

  constructor(options: LineEncoderOptions = {}) {
    const d = options.delimiter ?? "\r\n";
    this.delimiter = typeof d === "string" ? Buffer.from(d, "utf8") : Buffer.from(d);
    if (this.delimiter.length === 0) throw new RangeError("the line delimiter must not be empty");
  }

  /** `line` followed by the delimiter, in one buffer. */
  encode(line: string | Uint8Array): Buffer {
    const bytes = toBytes(line);
    const delimiter = this.delimiter;
    const out = Buffer.allocUnsafe(bytes.length + delimiter.length);
    out.set(bytes, 0);
    out.set(delimiter, bytes.length);
    return out;
  }
}
