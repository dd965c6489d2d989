/**
 * The base class of datagram (UDP) protocols, after `twisted.internet.protocol.DatagramProtocol`.
 *
 * @module
 */
import { NotConnectedError } from "../errors.ts";
import type { IDatagramProtocol, IUDPTransport } from "../interfaces.ts";
import type { MaybeAsync } from "./contain.ts";

/**
 * A datagram protocol with no-op defaults: override {@link DatagramProtocol.datagramReceived}
 * and reply with `this.transport.write(data, addr)`.
 *
 * One instance serves every peer of a socket (there are no connections), so per-peer state is
 * keyed by address. The port calls {@link DatagramProtocol.makeConnection} once bound, which
 * calls {@link DatagramProtocol.startProtocol}; when the socket closes it calls
 * {@link DatagramProtocol.doStop}, which calls {@link DatagramProtocol.stopProtocol}. If one
 * instance is bound to several ports, `startProtocol` runs for the first and `stopProtocol`
 * after the last, as in Twisted.
 *
 * ```ts
 * class EchoDatagram extends DatagramProtocol {
 *   override datagramReceived(data: Buffer, addr: readonly [string, number]): void {
 *     this.transport.write(data, addr);
 *   }
 * }
 * ```
 */
export class DatagramProtocol implements IDatagramProtocol {
  /** Ports currently using this protocol. */
  numPorts = 0;
  /** Whether start and stop are logged (Twisted's `noisy`). */
  noisy = true;
  #transport: IUDPTransport | undefined;

  /**
   * The socket, set by {@link DatagramProtocol.makeConnection} before `startProtocol` and
   * cleared by {@link DatagramProtocol.doStop}. Reading it when unset throws
   * {@link NotConnectedError}.
   */
  get transport(): IUDPTransport {
    const t = this.#transport;
    if (t === undefined)
      throw new NotConnectedError(`${this.constructor.name} has no transport: it is not bound`);
    return t;
  }
  set transport(t: IUDPTransport | undefined) {
    this.#transport = t;
  }

  /** `true` while a transport is attached. */
  get hasTransport(): boolean {
    return this.#transport !== undefined;
  }

  /**
   * Attach `transport` and call {@link DatagramProtocol.doStart}. Called by the port.
   *
   * @throws Error if a transport is already attached (a protocol is bound to one socket at a time).
   */
  makeConnection(transport: IUDPTransport): void {
    if (this.#transport !== undefined) {
      throw new Error(`${this.constructor.name} already has a transport`);
    }
    this.#transport = transport;
    this.doStart();
  }

  /** Count a port in; the first one calls {@link DatagramProtocol.startProtocol}. Called by `makeConnection`. */
  doStart(): void {
    if (this.numPorts === 0) this.startProtocol();
    this.numPorts++;
  }

  /**
   * Count a port out and detach the transport; the last one calls
   * {@link DatagramProtocol.stopProtocol}. Called by the port when the socket closes.
   */
  doStop(): void {
    if (this.numPorts === 0) return; // unbalanced: nothing to stop
    this.numPorts--;
    this.#transport = undefined;
    if (this.numPorts === 0) this.stopProtocol();
  }

  /** The socket is bound. The default does nothing. */
  startProtocol(): void {}

  /** The socket was closed. The default does nothing. */
  stopProtocol(): void {}

  /** One datagram arrived from `addr` (`[host, port]`); may be `async`. The default does nothing. */
  datagramReceived(_data: Buffer, _addr: readonly [string, number]): MaybeAsync {}

  /**
   * A previous write to the connected peer was refused (ICMP port unreachable); only reported
   * after `transport.connect(host, port)`. The default does nothing.
   */
  connectionRefused(): void {}

  /** A short description for logs: the class name. */
  logPrefix(): string {
    return this.constructor.name;
  }
}
