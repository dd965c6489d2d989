/**
 * Addresses reported by transports and ports (`getPeer()`, `getHost()`), after
 * `twisted.internet.address`. Immutable value objects; compare with {@link IPv4Address.equals}.
 *
 * @module
 */
/**
 * Any address a transport or port can report, told apart by `type` (a discriminated union):
 * `"TCP"`/`"UDP"` for {@link IPv4Address} and {@link IPv6Address}, `"UNIX"` for
 * {@link UNIXAddress}, `"PIPE"` for {@link PipeAddress}, `"PROCESS"` for a child process's
 * transport ({@link ProcessAddress}). After `if (peer.type === "TCP")`
 * TypeScript knows `peer.host` and `peer.port`; {@link isIPAddress} covers TCP and UDP at once.
 */
export type IAddress = IPv4Address | IPv6Address | UNIXAddress | PipeAddress | ProcessAddress;

/** The address of a child process's transport: it has no network address (Twisted's `_ProcessAddress`). */
export interface ProcessAddress {
  /** Always `"PROCESS"`. */
  readonly type: "PROCESS";
}

/** An IPv4 address: `type` is `"TCP"` or `"UDP"`, `host` a dotted quad, `port` a number. */
export class IPv4Address {
  readonly type: "TCP" | "UDP";
  readonly host: string;
  readonly port: number;
  constructor(type: "TCP" | "UDP", host: string, port: number) {
    this.type = type;
    this.host = host;
    this.port = port;
  }
  /** Same type, host and port. */
  equals(other: unknown): boolean {
    return (
      other instanceof IPv4Address &&
      other.type === this.type &&
      other.host === this.host &&
      other.port === this.port
    );
  }
  /** `IPv4Address(TCP, '127.0.0.1', 8007)`, as Twisted prints it. */
  toString(): string {
    return `IPv4Address(${this.type}, '${this.host}', ${this.port})`;
  }
}

/** An IPv6 address; `host` has no brackets (`"::1"`); `flowInfo`/`scopeID` as Twisted. */
export class IPv6Address {
  readonly type: "TCP" | "UDP";
  readonly host: string;
  readonly port: number;
  readonly flowInfo: number;
  readonly scopeID: number | string;
  constructor(
    type: "TCP" | "UDP",
    host: string,
    port: number,
    flowInfo = 0,
    scopeID: number | string = 0,
  ) {
    this.type = type;
    this.host = host;
    this.port = port;
    this.flowInfo = flowInfo;
    this.scopeID = scopeID;
  }
  /** Same type, host and port. */
  equals(other: unknown): boolean {
    return (
      other instanceof IPv6Address &&
      other.type === this.type &&
      other.host === this.host &&
      other.port === this.port
    );
  }
  /** `IPv6Address(TCP, '::1', 8007)`. */
  toString(): string {
    return `IPv6Address(${this.type}, '${this.host}', ${this.port})`;
  }
}

/** A UNIX-domain socket address; `name` is the socket file's path (or `null` when unbound). */
export class UNIXAddress {
  readonly type = "UNIX" as const;
  readonly name: string | null;
  constructor(name: string | null) {
    this.name = name;
  }
  /** Same path. */
  equals(other: unknown): boolean {
    return other instanceof UNIXAddress && other.name === this.name;
  }
  /** `UNIXAddress('/tmp/s')`. */
  toString(): string {
    return `UNIXAddress(${this.name === null ? "None" : `'${this.name}'`})`;
  }
}

/**
 * The address of either end of a pipe (standard input/output, a child process's pipes):
 * a pipe has no network address (Twisted's `PipeAddress`).
 */
export class PipeAddress {
  /** Always `"PIPE"`. */
  readonly type = "PIPE" as const;
  /** Every pipe address is like every other. */
  equals(other: unknown): boolean {
    return other instanceof PipeAddress;
  }
  /** `PipeAddress()`. */
  toString(): string {
    return "PipeAddress()";
  }
}

/**
 * Whether `address` is an IP address (TCP or UDP, v4 or v6), so `address.host` and
 * `address.port` exist: `if (isIPAddress(peer)) log.info("from {host}", { host: peer.host })`.
 */
export function isIPAddress(address: IAddress): address is IPv4Address | IPv6Address {
  return address.type === "TCP" || address.type === "UDP";
}

/**
 * Build the address object for a Node socket address: IPv6 when `family` says so or `host`
 * contains a colon, else IPv4. IPv4-mapped IPv6 hosts (`::ffff:1.2.3.4`) are reported as IPv4,
 * as the peer really is an IPv4 host.
 */
export function addressFor(
  type: "TCP" | "UDP",
  host: string | undefined,
  port: number | undefined,
  family?: string | number,
): IPv4Address | IPv6Address {
  const h = host ?? "";
  const p = port ?? 0;
  if (h.startsWith("::ffff:") && h.includes(".")) return new IPv4Address(type, h.slice(7), p);
  if (family === "IPv6" || family === 6 || h.includes(":")) return new IPv6Address(type, h, p);
  return new IPv4Address(type, h, p);
}
