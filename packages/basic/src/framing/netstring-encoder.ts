/**
 * Netstrings on the wire: `<length>:<payload>,`.
 *
 * @module
 */
import { type Encoder, toBytes } from "./encoder.ts";

const COMMA = 0x2c;

/** Encode `data` (strings as UTF-8) as a netstring. */
export function encodeNetstring(data: string | Uint8Array): Buffer {
  const payload = toBytes(data);
  const head = Buffer.from(`${payload.length}:`, "latin1");
  const out = Buffer.allocUnsafe(head.length + payload.length + 1);
  head.copy(out, 0);
  out.set(payload, head.length);
  out[out.length - 1] = COMMA;
  return out;
}

/**
 * Encodes netstrings for {@link NetstringDecoder} ({@link encodeNetstring} as an
 * {@link Encoder}). Any length can be encoded; the receiving side's limit is its own.
 */
export class NetstringEncoder implements Encoder<string | Uint8Array> {
  /** `data` as a netstring, in one buffer. */
  encode(data: string | Uint8Array): Buffer {
    return encodeNetstring(data);
  }
}
