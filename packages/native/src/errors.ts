/**
 * Errors shaped as `node:net`'s, so that code mapping Node's socket errors (Torsion's
 * `fromSystemError`, `cannotListen`) works unchanged: `code`, `errno`, `syscall` and the
 * message `node:net` would give (`read ECONNRESET`, `listen EADDRINUSE: address already in use
 * 127.0.0.1:8007`).
 *
 * @module
 */
import { getSystemErrorMap } from "node:util";

/** A socket error as `node:net` reports it. */
export interface NativeSystemError extends Error {
  code: string;
  errno: number;
  syscall: string;
  address?: string;
  port?: number;
}

let map: Map<number, [string, string]> | undefined;

function describe(errno: number): [string, string] {
  map ??= getSystemErrorMap();
  return map.get(errno) ?? [`Unknown system error ${errno}`, `Unknown system error ${errno}`];
}

/** `read ECONNRESET` (Node's `errnoException`), for errors on a connected socket. */
export function errnoError(errno: number, syscall: string): NativeSystemError {
  const [code] = describe(errno);
  const error = new Error(`${syscall} ${code}`) as NativeSystemError;
  error.errno = errno;
  error.code = code;
  error.syscall = syscall;
  return error;
}

/** `listen EADDRINUSE: address already in use 127.0.0.1:8007` (Node's `uvExceptionWithHostPort`). */
export function listenError(errno: number, address: string, port: number): NativeSystemError {
  const [code, message] = describe(errno);
  const details = port > 0 ? ` ${address}:${port}` : address ? ` ${address}` : "";
  const error = new Error(`listen ${code}: ${message}${details}`) as NativeSystemError;
  error.code = code;
  error.errno = errno;
  error.syscall = "listen";
  error.address = address;
  if (port > 0) error.port = port;
  return error;
}
