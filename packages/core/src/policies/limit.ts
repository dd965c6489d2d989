/**
 * Connection limits, after `twisted.protocols.policies`: {@link LimitTotalConnectionsFactory}
 * (a cap on simultaneous connections) and {@link LimitConnectionsByPeer} (a cap per peer host).
 *
 * @module
 */
import type { IAddress, IProtocol } from "../interfaces.ts";
import { type ProtocolClass, ServerFactory } from "../protocol/factory.ts";
import { ProtocolWrapper, WrappingFactory } from "./wrapping.ts";

/**
 * A server factory that allows at most {@link connectionLimit} simultaneous connections. Past
 * the limit, a new connection gets an {@link overflowProtocol} (to say "busy, try later") if
 * one is set, or is closed at once (`buildProtocol` returns `null`).
 *
 * Set `protocol` (or use `forProtocol`) as for any {@link Factory}. Connections are counted
 * from `buildProtocol` until their `connectionLost`, overflow connections included.
 */
export class LimitTotalConnectionsFactory extends ServerFactory {
  /** Connections currently open (built and not yet lost). */
  connectionCount = 0;
  /** The most simultaneous connections served by `protocol`; `null` for no limit. */
  connectionLimit: number | null = null;
  /** What serves connections past the limit; `null` closes them instead. */
  overflowProtocol: ProtocolClass | null = null;

  /** The normal protocol under the limit, else the overflow protocol, else `null`; wrapped to be counted. */
  override buildProtocol(addr: IAddress): ProtocolWrapper | null {
    let wrapped: IProtocol | null;
    if (this.connectionLimit === null || this.connectionCount < this.connectionLimit) {
      wrapped = super.buildProtocol(addr);
    } else if (this.overflowProtocol === null) {
      return null;
    } else {
      wrapped = new this.overflowProtocol();
      (wrapped as { factory?: unknown }).factory = this;
    }
    if (wrapped === null) return null;
    this.connectionCount++;
    return new ProtocolWrapper(this, wrapped);
  }

  /** Called by the wrapper when its connection is made: counting starts at build time. */
  registerProtocol(_p: ProtocolWrapper): void {}

  /** Called by the wrapper when its connection is lost. */
  unregisterProtocol(_p: ProtocolWrapper): void {
    this.connectionCount--;
  }
}

/** The host part of an address, for counting by peer: `host` for IP addresses, `name` for UNIX. */
function peerKey(addr: IAddress): string {
  const a = addr as { host?: unknown; name?: unknown };
  if (typeof a.host === "string") return a.host;
  if (typeof a.name === "string") return a.name;
  return String(addr);
}

/**
 * Wraps a factory so that each peer host has at most {@link maxConnectionsPerPeer}
 * simultaneous connections; further ones from that host are closed at once.
 *
 * (Twisted's version reads the host in two different ways and never forgets a wrapper; here
 * the host counted at `buildProtocol` is the one released at `connectionLost`.)
 */
export class LimitConnectionsByPeer extends WrappingFactory {
  /** The most simultaneous connections from one host (Twisted: 5). */
  maxConnectionsPerPeer = 5;
  /** Open connections per peer host; hosts with none are absent. */
  peerConnections: Map<string, number> = new Map();
  readonly #keys = new WeakMap<ProtocolWrapper, string>();

  /** Start with no connections counted. */
  override startFactory(): void {
    this.peerConnections = new Map();
  }

  /** The wrapped factory's protocol, or `null` if `addr`'s host is at its limit. */
  override buildProtocol(addr: IAddress): ProtocolWrapper | null {
    const key = peerKey(addr);
    const count = this.peerConnections.get(key) ?? 0;
    if (count >= this.maxConnectionsPerPeer) return null;
    const p = super.buildProtocol(addr);
    if (p === null) return null;
    this.peerConnections.set(key, count + 1);
    this.#keys.set(p, key);
    return p;
  }

  override unregisterProtocol(p: ProtocolWrapper): void {
    super.unregisterProtocol(p);
    const key = this.#keys.get(p);
    if (key === undefined) return;
    this.#keys.delete(p);
    const count = (this.peerConnections.get(key) ?? 1) - 1;
    if (count <= 0) this.peerConnections.delete(key);
    else this.peerConnections.set(key, count);
  }
}
