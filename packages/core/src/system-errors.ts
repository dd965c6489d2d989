/**
 * Mapping Node system errors (`ECONNREFUSED`, `EADDRINUSE`, …) to the Twisted-named classes
 * of `errors.ts`. Used by the reactor and transports; not part of the public API.
 *
 * @module
 */
import {
  CannotListenError,
  CertificateError,
  ConnectBindError,
  ConnectError,
  ConnectionRefusedError,
  DNSLookupError,
  NoRouteError,
  TCPTimedOutError,
} from "./errors.ts";

type ConnectErrorClass = new (message?: string, options?: ErrorOptions) => ConnectError;

const connectErrorsByCode: Record<string, ConnectErrorClass> = {
  ECONNREFUSED: ConnectionRefusedError,
  ETIMEDOUT: TCPTimedOutError,
  ENOTFOUND: DNSLookupError,
  EAI_AGAIN: DNSLookupError,
  EAI_NONAME: DNSLookupError,
  EHOSTUNREACH: NoRouteError,
  ENETUNREACH: NoRouteError,
  EADDRINUSE: ConnectBindError,
  EADDRNOTAVAIL: ConnectBindError,
  CERT_HAS_EXPIRED: CertificateError,
  DEPTH_ZERO_SELF_SIGNED_CERT: CertificateError,
  SELF_SIGNED_CERT_IN_CHAIN: CertificateError,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: CertificateError,
  ERR_TLS_CERT_ALTNAME_INVALID: CertificateError,
};

/**
 * Map a Node system error from a connection attempt to the Twisted-named class
 * (`ECONNREFUSED` → {@link ConnectionRefusedError}, `ETIMEDOUT` → {@link TCPTimedOutError},
 * `ENOTFOUND` → {@link DNSLookupError}, …). The original stays in `cause`.
 */
export function fromSystemError(err: NodeJS.ErrnoException): ConnectError {
  const Klass = connectErrorsByCode[err.code ?? ""] ?? ConnectError;
  return new Klass(err.message, { cause: err });
}

const listenReasons: Record<string, string> = {
  EADDRINUSE: "Address already in use",
  EACCES: "Permission denied",
  EADDRNOTAVAIL: "Cannot assign requested address",
  EINVAL: "Invalid argument",
};

/** Build a {@link CannotListenError} from a Node `listen` error, with a reason a person can act on. */
export function cannotListen(
  iface: string,
  port: number | string,
  err: NodeJS.ErrnoException,
): CannotListenError {
  const reason = listenReasons[err.code ?? ""] ?? err.message;
  return new CannotListenError(iface, port, reason, { cause: err });
}
