/**
 * `Int8StringReceiver`, `Int16StringReceiver`, `Int32StringReceiver`, after
 * `twisted.protocols.basic.IntNStringReceiver`.
 *
 * @module
 */

import { containRejection, type HookResult } from "./callback-failure.ts";
import { FramedProtocol } from "./framed-protocol.ts";
import type { DecodeError, Decoder } from "./framing/decoder.ts";
import {
  DEFAULT_MAX_PREFIXED_LENGTH,
  IntPrefixDecoder,
  LengthLimitExceededError,
  type PrefixLength,
} from "./framing/int-prefix-decoder.ts";
import { IntPrefixEncoder } from "./framing/int-prefix-encoder.ts";

/**
 * Base class of the length-prefixed protocols: each string is preceded by its length as an
 * unsigned big-endian integer of {@link IntNStringReceiver.prefixLength} bytes. Override
 * {@link IntNStringReceiver.stringReceived}; send with {@link IntNStringReceiver.sendString}.
 * Zero-length strings are delivered (as an empty Buffer).
 *
 * A prefix over `MAX_LENGTH` (default 99999) calls
 * {@link IntNStringReceiver.lengthLimitExceeded} as soon as the prefix arrives, before the
 * payload is buffered; the default closes the connection. Unlike Twisted, the buffered bytes
 * are then dropped (Twisted keeps them for its `recvd` compatibility attribute, so a hook that
 * does not disconnect would make the buffer grow without bound); parsing continues with the
 * next bytes received.
 *
 * A push producer, as Twisted's: {@link IntNStringReceiver.pauseProducing} holds back strings
 * already received, {@link IntNStringReceiver.resumeProducing} delivers them.
 */
export abstract class IntNStringReceiver extends FramedProtocol<Buffer> {
  /** Width of the prefix in bytes. */
  abstract readonly prefixLength: PrefixLength;
  /** The prefix as a Python `struct` format, for reference (`"!B"`, `"!H"`, `"!I"`). */
  abstract readonly structFormat: string;
  /** The longest string accepted (Twisted's default 99999). */
  MAX_LENGTH: number = DEFAULT_MAX_PREFIXED_LENGTH;

  #decoder: IntPrefixDecoder | undefined;
  #encoder: IntPrefixEncoder | undefined;

  /** Called with each string, prefix removed. Override it (it may be `async`); the default throws. */
  stringReceived(_data: Buffer): HookResult {
    throw new Error(`${this.constructor.name} must override stringReceived`);
  }

  /**
   * A prefix announced `length` bytes, more than `MAX_LENGTH`. The default closes the
   * connection. May be `async`.
   */
  lengthLimitExceeded(_length: number): HookResult {
    this.transport.loseConnection();
  }

  /**
   * Write `data` with its length prefix.
   *
   * @throws {@link StringTooLongError} when the prefix cannot hold the length
   *   (2^(8 × prefixLength) bytes or more); nothing is written then.
   */
  sendString(data: string | Uint8Array): void {
    this.#encoder ??= new IntPrefixEncoder({ prefixLength: this.prefixLength });
    this.transport.write(this.#encoder.encode(data));
  }

  protected override currentDecoder(): Decoder<Buffer> {
    const d = this.#decoder;
    if (d !== undefined && d.maxLength === this.MAX_LENGTH) return d;
    return (this.#decoder = new IntPrefixDecoder({
      prefixLength: this.prefixLength,
      maxLength: this.MAX_LENGTH,
    }));
  }

  protected override frameReceived(payload: Buffer): void {
    containRejection(this, this.stringReceived(payload), "stringReceived");
  }

  /** A {@link LengthLimitExceededError} (the decoder throws no other). */
  protected override frameDecodeFailed(err: DecodeError): void {
    this.receiveBuffer.clear();
    const length = err instanceof LengthLimitExceededError ? err.length : Number.NaN;
    containRejection(this, this.lengthLimitExceeded(length), "lengthLimitExceeded");
  }
}

/** Strings prefixed with their length as one unsigned byte (Twisted's `"!B"`): at most 255 bytes. */
export class Int8StringReceiver extends IntNStringReceiver {
  readonly prefixLength: PrefixLength = 1;
  readonly structFormat: string = "!B";
}

/** Strings prefixed with their length as an unsigned big-endian 16-bit integer (`"!H"`). */
export class Int16StringReceiver extends IntNStringReceiver {
  readonly prefixLength: PrefixLength = 2;
  readonly structFormat: string = "!H";
}

/** Strings prefixed with their length as an unsigned big-endian 32-bit integer (`"!I"`). */
export class Int32StringReceiver extends IntNStringReceiver {
  readonly prefixLength: PrefixLength = 4;
  readonly structFormat: string = "!I";
}
