/**
 * `@torsion/basic`: Twisted's basic protocols — `LineReceiver`, `LineOnlyReceiver`,
 * `NetstringReceiver`, `Int8/16/32StringReceiver`, `FileSender` — as thin subclasses of one
 * framing driver, `FramedProtocol`, on pure linear-time decoders (each with its encoder); the
 * same driver frames a plain Node stream in `DecoderTransform`.
 *
 * Every public name is listed here by name (no `export *`).
 *
 * @module
 */

// --- protocols ----------------------------------------------------------------------------
export { FramedProtocol } from "./framed-protocol.ts";
export type { HookResult } from "./callback-failure.ts";
export { LineReceiver } from "./line-receiver.ts";
export { LineOnlyReceiver } from "./line-only-receiver.ts";
export { NetstringReceiver } from "./netstring-receiver.ts";
export {
  Int8StringReceiver,
  Int16StringReceiver,
  Int32StringReceiver,
  IntNStringReceiver,
} from "./int-n-string-receiver.ts";
export { FileSender } from "./file-sender.ts";
export type { ChunkTransform, FileSource } from "./file-sender.ts";

// --- framing ------------------------------------------------------------------------------
export { Accumulator } from "./framing/accumulator.ts";
export {
  DecodeError,
  DecoderContractError,
  IncompleteFrameError,
  decodeAll,
} from "./framing/decoder.ts";
export type { Decoder } from "./framing/decoder.ts";
export type { Encoder } from "./framing/encoder.ts";
export { DEFAULT_MAX_LINE_LENGTH, LineDecoder, LineTooLongError } from "./framing/line-decoder.ts";
export type { LineDecoderOptions } from "./framing/line-decoder.ts";
export { LineEncoder } from "./framing/line-encoder.ts";
export type { LineEncoderOptions } from "./framing/line-encoder.ts";
export {
  DEFAULT_MAX_NETSTRING_LENGTH,
  NetstringDecoder,
  NetstringParseError,
} from "./framing/netstring-decoder.ts";
export type { NetstringDecoderOptions } from "./framing/netstring-decoder.ts";
export { NetstringEncoder, encodeNetstring } from "./framing/netstring-encoder.ts";
export {
  DEFAULT_MAX_PREFIXED_LENGTH,
  IntPrefixDecoder,
  LengthLimitExceededError,
} from "./framing/int-prefix-decoder.ts";
export type { IntPrefixDecoderOptions, PrefixLength } from "./framing/int-prefix-decoder.ts";
export {
  IntPrefixEncoder,
  StringTooLongError,
  encodeIntPrefixed,
} from "./framing/int-prefix-encoder.ts";
export type { IntPrefixEncoderOptions } from "./framing/int-prefix-encoder.ts";
export { DecoderTransform } from "./framing/transform.ts";
export type { DecoderTransformOptions } from "./framing/transform.ts";
