/**
 * `NetstringReceiver`, after `twisted.protocols.basic.NetstringReceiver`.
 *
 * @module
 */
import { Failure, Logger, Protocol } from "@torsion/core";
import { Accumulator } from "./framing/accumulator.ts";
import {
  DEFAULT_MAX_NETSTRING_LENGTH,
  encodeNetstring,
  NetstringDecoder,
  NetstringParseError,
} from "./framing/netstring-decoder.ts";

const defaultLog = new Logger("torsion.basic.NetstringReceiver");

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
export class NetstringReceiver extends Protocol {
  /** The longest payload accepted (Twisted's default 99999). */
  MAX_LENGTH: number = DEFAULT_MAX_NETSTRING_LENGTH;
  /** `true` once the peer sent something that is not a netstring. */
  brokenPeer = false;
  /** Where parse errors are logged (at `warn`: the peer misbehaved, not this program). */
  log: Logger = defaultLog;

  readonly #buffer = new Accumulator();
  #decoder: NetstringDecoder | undefined;

  /** Called with each payload. Override it; the default throws. */
  stringReceived(_data: Buffer): void {
    throw new Error(`${this.constructor.name} must override stringReceived`);
  }

  /** Write `data` as a netstring. */
  sendString(data: string | Uint8Array): void {
    this.transport.write(encodeNetstring(data));
  }

  override dataReceived(data: Buffer): void {
    if (this.brokenPeer) return;
    const buffer = this.#buffer;
    buffer.push(data);
    let decoder = this.#decoder;
    if (decoder === undefined || decoder.maxLength !== this.MAX_LENGTH) {
      decoder = this.#decoder = new NetstringDecoder({ maxLength: this.MAX_LENGTH });
    }
    while (buffer.length > 0) {
      let payload: Buffer | undefined;
      try {
        payload = decoder.decode(buffer);
      } catch (err) {
        if (!(err instanceof NetstringParseError)) throw err;
        this.#handleParseError(err);
        return;
      }
      if (payload === undefined) return;
      this.stringReceived(payload);
    }
  }

  #handleParseError(err: NetstringParseError): void {
    this.#buffer.clear();
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
