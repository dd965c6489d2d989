/**
 * `NetstringReceiver`, after `twisted.protocols.basic.NetstringReceiver`.
 *
 * @module
 */
import { Failure, Logger } from "@torsion/core";
import { containRejection, type HookResult } from "./callback-failure.ts";
import { FramedProtocol } from "./framed-protocol.ts";
import type { DecodeError, Decoder } from "./framing/decoder.ts";
import { DEFAULT_MAX_NETSTRING_LENGTH, NetstringDecoder } from "./framing/netstring-decoder.ts";
import { NetstringEncoder } from "./framing/netstring-encoder.ts";

const defaultLog = new Logger("torsion.basic.NetstringReceiver");
const encoder = new NetstringEncoder();

/**
 * A protocol that sends and receives netstrings (<http://cr.yp.to/proto/netstrings.txt>):
 * `<length>:<payload>,`. Override {@link NetstringReceiver.stringReceived}; send with
 * {@link NetstringReceiver.sendString}.
 *
 * Strict, as Twisted: a length with a leading zero or a non-digit, a length over
 * `MAX_LENGTH` (default 99999, checked digit by digit), a payload not followed by `,` (a
 * wrong length) — each logs the {@link NetstringParseError}, sets
 * {@link NetstringReceiver.brokenPeer} and closes the connection; nothing after the error is
 * delivered. At most `MAX_LENGTH` plus a few header bytes plus one chunk are ever buffered.
 */
export class NetstringReceiver extends FramedProtocol<Buffer> {
  /** The longest payload accepted (Twisted's default 99999). */
  MAX_LENGTH: number = DEFAULT_MAX_NETSTRING_LENGTH;
  /** `true` once the peer sent something that is not a netstring. */
  brokenPeer = false;
  /** Where parse errors are logged (at `warn`: the peer misbehaved, not this program). */
  log: Logger = defaultLog;

  #decoder: NetstringDecoder | undefined;

  /** Called with each payload. Override it (it may be `async`); the default throws. */
  stringReceived(_data: Buffer): HookResult {
    throw new Error(`${this.constructor.name} must override stringReceived`);
  }

  /** Write `data` as a netstring. */
  sendString(data: string | Uint8Array): void {
    this.transport.write(encoder.encode(data));
  }

  override dataReceived(data: Buffer): void {
    if (!this.brokenPeer) super.dataReceived(data);
  }

  protected override currentDecoder(): Decoder<Buffer> {
    const d = this.#decoder;
    if (d !== undefined && d.maxLength === this.MAX_LENGTH) return d;
    return (this.#decoder = new NetstringDecoder({ maxLength: this.MAX_LENGTH }));
  }

  protected override frameReceived(payload: Buffer): void {
    containRejection(this, this.stringReceived(payload), "stringReceived");
  }

  /** A {@link NetstringParseError} (the decoder throws no other). */
  protected override frameDecodeFailed(err: DecodeError): void {
    this.receiveBuffer.clear();
    this.brokenPeer = true;
    this.log.failure(
      "Closing {protocol}: the peer sent an invalid netstring",
      new Failure(err),
      { protocol: this.logPrefix() },
      "warn",
    );
    this.transport.loseConnection();
  }
}
