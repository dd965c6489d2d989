/**
 * What a PROXY protocol header says about a connection (Twisted's `_info.ProxyInfo`).
 *
 * @module
 */
import type { IAddress } from "../interfaces.ts";

/**
 * The decoded header. `source` is the client as the proxy saw it (what `getPeer()` becomes),
 * `destination` the address the client connected to (what `getHost()` becomes). Both are `null`
 * when the header carries no usable addresses (v1 `UNKNOWN`, v2 `LOCAL`, `UNSPEC` or `DGRAM`):
 * the connection then keeps the socket's own addresses.
 */
export interface ProxyInfo {
  /** The header bytes exactly as received, including the v1 CRLF and any v2 TLVs. */
  readonly header: Buffer;
  /** 1 for the text header, 2 for the binary one. */
  readonly version: 1 | 2;
  /** The client's address, or `null` to keep the socket's peer. */
  readonly source: IAddress | null;
  /** The address the client connected to, or `null` to keep the socket's host. */
  readonly destination: IAddress | null;
}

/** A decoded header and the bytes that followed it in the same input (the start of the stream). */
export interface ProxyHeaderResult {
  readonly info: ProxyInfo;
  /** Bytes after the header; empty when the input ended with the header. */
  readonly rest: Buffer;
}
