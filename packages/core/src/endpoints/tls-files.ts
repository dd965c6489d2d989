/**
 * Turning the file names of an endpoint description (`privateKey=key.pem:certKey=cert.pem`)
 * into `node:tls` options. Files are read when the endpoint is used, not when the string is
 * parsed, so a missing file fails the `listen`/`connect` Deferred with its name.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { SecureVersion } from "node:tls";
import type { TLSOptions } from "../interfaces.ts";

/** TLS protocol versions to allow, as `node:tls` takes them. */
export interface TLSVersions {
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
}

/** The file names and settings a server `ssl:` description gives (Twisted's `_parseSSL`). */
export interface ServerTLSFiles {
  /** PEM private key; Twisted's default is `server.pem`. */
  privateKey: string;
  /** PEM certificate; default: the `privateKey` file, holding both. */
  certKey?: string;
  /** PEM certificates from a root CA down to the one that signed `certKey`, sent after it. */
  extraCertChain?: string;
  /** Diffie-Hellman parameters (PEM), enabling the DHE ciphers. */
  dhParameters?: string;
  /** An OpenSSL method name, mapped to TLS versions; see {@link tlsVersionsForMethod}. */
  sslmethod?: string;
  /** Seconds a client has to complete the handshake; default 30. */
  handshakeTimeout?: number;
}

/** The file names a client `ssl:`/`tls:` description gives. */
export interface ClientTLSFiles {
  /** PEM client certificate (may also hold its key). */
  certificate?: string;
  /** PEM client private key; default: the `certificate` file. */
  privateKey?: string;
  /** A directory of `*.pem` CA certificates (or one PEM file) to trust instead of Node's roots. */
  trustRoots?: string;
  /** The name to verify the server's certificate against and send as SNI. */
  hostname?: string;
}

const methods: Record<string, TLSVersions> = {
  TLS_METHOD: {},
  SSLv23_METHOD: {},
  TLSv1_METHOD: { minVersion: "TLSv1", maxVersion: "TLSv1" },
  TLSv1_1_METHOD: { minVersion: "TLSv1.1", maxVersion: "TLSv1.1" },
  TLSv1_2_METHOD: { minVersion: "TLSv1.2", maxVersion: "TLSv1.2" },
};

/**
 * The `minVersion`/`maxVersion` for an OpenSSL method name as Twisted's `sslmethod=` takes it:
 * `TLS_METHOD`/`SSLv23_METHOD` (negotiate), `TLSv1_METHOD`, `TLSv1_1_METHOD`, `TLSv1_2_METHOD`
 * (that version only). Throws for any other name.
 */
export function tlsVersionsForMethod(method: string): TLSVersions {
  const v = methods[method];
  if (v === undefined) {
    const why = /^SSLv[23]_METHOD$/.test(method)
      ? `unknown sslmethod '${method}': it cannot work, Node's OpenSSL has no SSL 2 or 3`
      : `unknown sslmethod '${method}'`;
    throw new Error(`${why} (expected one of ${Object.keys(methods).join(", ")})`);
  }
  if (v.maxVersion !== undefined && legacyRefused(v.maxVersion))
    throw new Error(
      `sslmethod '${method}' cannot work on this Node: OpenSSL ${process.versions.openssl} refuses ${v.maxVersion} handshakes at its default security level; use TLSv1_2_METHOD or TLS_METHOD`,
    );
  return v;
}

/**
 * OpenSSL 3 refuses TLS 1.0 and 1.1 at security level 1 (their handshake signatures use SHA-1),
 * which is where Node leaves it: such a server or client fails every handshake.
 */
function legacyRefused(version: string): boolean {
  if (version !== "TLSv1" && version !== "TLSv1.1") return false;
  const major = Number((process.versions.openssl ?? "3").split(".")[0]);
  return major >= 3;
}

function readText(what: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES"
          ? "permission denied"
          : (e as Error).message;
    throw new Error(`can't read the ${what} file '${path}': ${why}`, { cause: e });
  }
}

const certificateBlock = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]+?\r?\n-----END CERTIFICATE-----/g;

/** Read the files of a server description into `node:tls` options. Throws naming a missing file. */
export function loadServerTLSFiles(files: ServerTLSFiles): TLSOptions {
  const key = readText("privateKey", files.privateKey);
  let cert = files.certKey === undefined ? key : readText("certKey", files.certKey);
  if (files.extraCertChain !== undefined) {
    const chain = readText("extraCertChain", files.extraCertChain).match(certificateBlock);
    if (chain === null) {
      throw new Error(
        `Specified chain file '${files.extraCertChain}' doesn't contain any valid certificates in PEM format.`,
      );
    }
    // One string: Node reads an array as one chain per key, not as one longer chain.
    cert = [...(cert.match(certificateBlock) ?? [cert]), ...chain].join("\n");
  }
  const options: TLSOptions = { key, cert };
  if (files.dhParameters !== undefined)
    options.dhparam = readText("dhParameters", files.dhParameters);
  if (files.sslmethod !== undefined) Object.assign(options, tlsVersionsForMethod(files.sslmethod));
  if (files.handshakeTimeout !== undefined)
    options.handshakeTimeout = files.handshakeTimeout * 1000;
  return options;
}

function readTrustRoots(path: string): string[] {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (e) {
    throw new Error(`can't read the trustRoots '${path}': no such file or directory`, { cause: e });
  }
  if (!isDirectory) return [readText("trustRoots", path)];
  const found: string[] = [];
  for (const name of readdirSync(path).sort()) {
    if (!name.toLowerCase().endsWith(".pem")) continue;
    try {
      found.push(readFileSync(join(path, name), "utf8"));
    } catch {
      // As Twisted's _loadCAsFromDir: an unreadable file in a CA directory is skipped.
    }
  }
  return found;
}

/** Read the files of a client description into `node:tls` options. Throws naming a missing file. */
export function loadClientTLSFiles(files: ClientTLSFiles): TLSOptions {
  const options: TLSOptions = {};
  if (files.certificate !== undefined) {
    options.cert = readText("certificate", files.certificate);
    options.key =
      files.privateKey === undefined ? options.cert : readText("privateKey", files.privateKey);
  }
  if (files.trustRoots !== undefined) options.ca = readTrustRoots(files.trustRoots);
  if (files.hostname !== undefined) options.servername = files.hostname;
  return options;
}
