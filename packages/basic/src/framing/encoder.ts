/**
 * The encoder contract, beside {@link Decoder} (tokio-util's `Encoder<Item>`).
 *
 * @module
 */

/**
 * Turns a frame into the bytes that carry it, so that the matching {@link Decoder} gives the
 * frame back however the bytes are chunked on the way. Stateless for the codecs here: one
 * instance may serve many connections.
 */
export interface Encoder<Frame> {
  /**
   * The bytes for `frame`, in one new buffer (one `write` on a transport).
   *
   * @throws a {@link @torsion/core!TorsionError} when `frame` cannot be encoded (too long for a length
   *   prefix); nothing was written then.
   */
  encode(frame: Frame): Buffer;
}

/** `data` as bytes (strings as UTF-8); Buffers and other byte arrays as they are. */
export function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? Buffer.from(data, "utf8") : data;
}
