/**
 * TLS helpers shared by the transport (`startTLS`) and the reactor (`listenSSL`/`connectSSL`):
 * building Node's TLS options from {@link TLSOptions} and mapping TLS errors to Twisted's
 * classes.
 *
 * @module
 * @internal
 */
import { isIP } from "node:net";
import type * as tls from "node:tls";
import { CertificateError, type ConnectError } from "../errors.ts";
import type { TLSOptions } from "../interfaces.ts";
import { fromSystemError } from "../system-errors.ts";

/**
 * OpenSSL's certificate verification results as Node reports them in `err.code`, plus Node's
 * own host name check. Any of these means "the peer's certificate did not verify".
 */
const certificateCodes = new Set([
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_CHAIN_TOO_LONG",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "INVALID_CA",
  "INVALID_PURPOSE",
  "PATH_LENGTH_EXCEEDED",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Whether `err` says the peer's certificate (or host name) did not verify. */
export function isCertificateError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && certificateCodes.has(code);
}

/**
 * Map an error from a TLS connection attempt: certificate problems to {@link CertificateError},
 * system errors through {@link fromSystemError}; Node's error is kept as `cause`.
 */
export function tlsConnectError(err: NodeJS.ErrnoException): ConnectError {
  if (isCertificateError(err)) {
    return new CertificateError(`The peer's certificate did not verify: ${err.message}`, {
      cause: err,
    });
  }
  return fromSystemError(err);
}

/**
 * Node options for a TLS client connecting to `host`. The certificate and the host name are
 * verified unless the caller turned `rejectUnauthorized` off; SNI is sent only for names
 * (an IP address is not allowed as a server name).
 */
export function clientTLSOptions(options: TLSOptions, host: string): tls.ConnectionOptions {
  const servername = options.servername ?? (isIP(host) ? undefined : host);
  const out: tls.ConnectionOptions = {
    ...(options as tls.ConnectionOptions),
    host,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
  };
  if (servername !== undefined) out.servername = servername;
  else delete out.servername;
  return out;
}
