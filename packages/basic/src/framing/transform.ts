/**
 * Any {@link Decoder} as a Node `Transform` stream.
 *
 * @module
 */
import { Transform, type TransformCallback, type TransformOptions } from "node:stream";
import { StreamFramer } from "../stream-framer.ts";
import type { Decoder } from "./decoder.ts";

/** Options for {@link DecoderTransform}: Node's, minus the modes the transform fixes. */
export type DecoderTransformOptions = Omit<
  TransformOptions,
  "transform" | "flush" | "readableObjectMode" | "objectMode" | "decodeStrings"
>;

/**
 * A `Transform` that turns a byte stream into a stream of frames: write bytes (Buffers or
 * strings) in, read one object per frame out. It frames a plain `net.Socket`, a file or
 * `process.stdin` with the same decoders the protocol classes use:
 *
 * ```ts
 * import { createReadStream } from "node:fs";
 * import { DecoderTransform, LineDecoder } from "@torsion/basic";
 *
 * for await (const line of createReadStream("log.txt").pipe(new DecoderTransform(new LineDecoder({ delimiter: "\n" })))) {
 *   console.log(line.toString());
 * }
 * ```
 *
 * A {@link DecodeError} from the decoder destroys the stream with that error. At end of input,
 * leftover bytes go to the decoder's `decodeEof`; without one they destroy the stream with
 * {@link IncompleteFrameError}.
 */
export class DecoderTransform<Frame> extends Transform {
  readonly #framer: StreamFramer<Frame>;

  constructor(decoder: Decoder<Frame>, options: DecoderTransformOptions = {}) {
    super({ ...options, readableObjectMode: true, writableObjectMode: false, decodeStrings: true });
    this.#framer = new StreamFramer(decoder, (frame) => {
      this.push(frame);
    });
  }

  /** Number of bytes received and not yet part of a frame. */
  get bufferedBytes(): number {
    return this.#framer.bufferedBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(this.#framer.feed(chunk));
  }

  override _flush(callback: TransformCallback): void {
    callback(this.#framer.end());
  }
}
