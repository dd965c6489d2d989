/**
 * The errors of the PROXY protocol decoder, with the names Twisted gives them in
 * `twisted.protocols.haproxy._exceptions`.
 *
 * @module
 */
import { TorsionError } from "../errors.ts";

/** The bytes at the start of a connection are not a valid PROXY protocol header. */
export class InvalidProxyHeader extends TorsionError {
  constructor(message = "Invalid PROXY protocol header", options?: ErrorOptions) {
    super(message, options);
  }
}

/** A v1 header names a protocol other than `TCP4`, `TCP6` or `UNKNOWN`. */
export class InvalidNetworkProtocol extends InvalidProxyHeader {
  constructor(message = "PROXY header names an unknown network protocol", options?: ErrorOptions) {
    super(message, options);
  }
}

/** A header lacks (or has malformed) source or destination address data. */
export class MissingAddressData extends InvalidProxyHeader {
  constructor(message = "PROXY header lacks address data", options?: ErrorOptions) {
    super(message, options);
  }
}
