/**
 * UDP for the Node reactor: {@link listenUDP} and {@link UDPPort} over `node:dgram`
 * (Twisted's `IReactorUDP` and `udp.Port`).
 *
 * @module
 */
import * as dgram from "node:dgram";
import { Deferred } from "../deferred/deferred.ts";
import { cannotListen } from "../errors.ts";
import { Failure } from "../failure.ts";
import type {
  IDatagramProtocol,
  IListeningPort,
  IUDPTransport,
  ListenUDPOptions,
} from "../interfaces.ts";
import { Logger } from "../logger/logger.ts";
import { containResult } from "../protocol/contain.ts";
import { addressFor, type IPv4Address, type IPv6Address } from "../transport/address.ts";
import type { ShutdownHooks } from "../transport/port.ts";

const log = new Logger("torsion.udp");

/** Twisted's default largest datagram. */
export const DEFAULT_MAX_PACKET_SIZE = 8192;

/**
 * Bind a UDP socket on `port` (0 picks a free one) of `options.interface` (default `""`: every
 * IPv4 interface; an address with a colon binds IPv6) and give it to `protocol`, whose
 * `datagramReceived(data, [host, port])` then hears every datagram of at most
 * `options.maxPacketSize` bytes (default 8192); larger ones are dropped (and counted in
 * {@link UDPPort.droppedDatagrams}).
 *
 * @returns A Deferred that fires with the port once bound, or fails with `CannotListenError`.
 */
export function listenUDP(
  reactor: ShutdownHooks,
  port: number,
  protocol: IDatagramProtocol,
  options: ListenUDPOptions = {},
): Deferred<UDPPort> {
  return new UDPPort(reactor, port, protocol, options).start();
}

/**
 * A bound UDP socket: the {@link IUDPTransport} of its protocol and an {@link IListeningPort}.
 * An exception thrown by `datagramReceived`, or a rejection of the promise it returns (it may
 * be `async`), is logged; the port keeps running. At reactor
 * shutdown the socket is closed.
 */
export class UDPPort implements IUDPTransport, IListeningPort {
  readonly #reactor: ShutdownHooks;
  readonly #port: number;
  readonly #iface: string;
  readonly #protocol: IDatagramProtocol;
  readonly #maxPacketSize: number;
  readonly #socket: dgram.Socket;
  #host: IPv4Address | IPv6Address | undefined;
  #peer: readonly [string, number] | undefined;
  #pending: Array<string | Uint8Array> | undefined;
  #stopped: Deferred<void> | undefined;
  #trigger: unknown;
  #dropped = 0;

  /** @internal Made by {@link listenUDP}. */
  constructor(
    reactor: ShutdownHooks,
    port: number,
    protocol: IDatagramProtocol,
    options: ListenUDPOptions,
  ) {
    this.#reactor = reactor;
    this.#port = port;
    this.#iface = options.interface ?? "";
    this.#protocol = protocol;
    this.#maxPacketSize = options.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE;
    this.#socket = dgram.createSocket({ type: this.#iface.includes(":") ? "udp6" : "udp4" });
  }

  /** @internal Bind; the Deferred fires with this port or fails with `CannotListenError`. */
  start(): Deferred<UDPPort> {
    const socket = this.#socket;
    const d = new Deferred<UDPPort>(() => socket.close());
    const onError = (err: NodeJS.ErrnoException): void => {
      socket.close();
      d.errback(cannotListen(this.#iface, this.#port, err));
    };
    socket.once("error", onError);
    socket.once("listening", () => {
      socket.removeListener("error", onError);
      socket.on("error", this.#onError);
      socket.on("message", this.#onMessage);
      const a = socket.address();
      this.#host = addressFor("UDP", a.address, a.port, a.family);
      this.#trigger = this.#reactor.addSystemEventTrigger("during", "shutdown", this.#shutdown);
      try {
        this.#protocol.makeConnection(this);
      } catch (error) {
        log.failure("Error in {protocol}.startProtocol", Failure.from(error), {
          protocol: this.#name(),
        });
      }
      d.callback(this);
    });
    socket.bind({ port: this.#port, address: this.#iface === "" ? "0.0.0.0" : this.#iface });
    return d;
  }

  /**
   * Send one datagram to `addr` (`[host, port]`), or to the connected peer when omitted.
   *
   * @throws Error if there is no address and the port is not connected, or if `addr` differs
   *   from the connected peer.
   */
  write(data: string | Uint8Array, addr?: readonly [string, number]): void {
    const peer = this.#peer;
    if (peer !== undefined) {
      if (addr !== undefined && (addr[0] !== peer[0] || addr[1] !== peer[1])) {
        throw new Error(
          `Already connected to ${peer[0]}:${peer[1]}; cannot write to ${addr[0]}:${addr[1]}`,
        );
      }
      if (this.#pending !== undefined) this.#pending.push(data);
      else this.#socket.send(data, this.#onSent);
    } else {
      if (addr === undefined)
        throw new Error("write() needs an address: this port is not connected");
      this.#socket.send(data, addr[1], addr[0], this.#onSent);
    }
  }

  /**
   * Only exchange datagrams with `host:port` (an IP address, as in Twisted): later `write`s
   * may omit the address and datagrams from anyone else are not delivered. A datagram the peer
   * refuses (ICMP port unreachable) calls the protocol's `connectionRefused`.
   *
   * @throws Error if already connected.
   */
  connect(host: string, port: number): void {
    if (this.#peer !== undefined) throw new Error("Already connected");
    this.#peer = [host, port];
    // Node connects asynchronously and rejects an address-less send until it has: hold the
    // datagrams written meanwhile (a few microseconds' worth for an IP address).
    const pending: Array<string | Uint8Array> = [];
    this.#pending = pending;
    this.#socket.connect(port, host, (err?: Error) => {
      this.#pending = undefined;
      if (err) {
        log.failure("Could not connect UDP port to {host}:{port}", Failure.from(err), {
          host,
          port,
        });
        return;
      }
      for (const data of pending) this.#socket.send(data, this.#onSent);
    });
  }

  /** The bound address (`IPv4Address("UDP", ...)`). */
  getHost(): IPv4Address | IPv6Address {
    return this.#host!;
  }

  /** How many datagrams larger than `maxPacketSize` were dropped. */
  get droppedDatagrams(): number {
    return this.#dropped;
  }

  /** Close the socket; the protocol's `stopProtocol` runs. Fires once it is closed. */
  stopListening(): Deferred<void> {
    if (this.#stopped !== undefined) return this.#stopped;
    const d = new Deferred<void>();
    this.#stopped = d;
    if (this.#trigger !== undefined) {
      this.#reactor.removeSystemEventTrigger(this.#trigger);
      this.#trigger = undefined;
    }
    this.#socket.close(() => {
      const p = this.#protocol as IDatagramProtocol & { doStop?: () => void };
      try {
        if (typeof p.doStop === "function") p.doStop();
        else p.stopProtocol();
      } catch (error) {
        log.failure("Error in {protocol}.stopProtocol", Failure.from(error), {
          protocol: this.#name(),
        });
      }
      d.callback(undefined);
    });
    return d;
  }

  /** Same as {@link stopListening}. */
  loseConnection(): void {
    this.stopListening();
  }

  /** `await using port = await reactor.listenUDP(...)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stopListening();
  }

  #onMessage = (data: Buffer, rinfo: dgram.RemoteInfo): void => {
    if (data.length > this.#maxPacketSize) {
      this.#dropped++;
      return;
    }
    try {
      const result = this.#protocol.datagramReceived(data, [rinfo.address, rinfo.port]);
      if (result !== undefined) containResult(result, this.#datagramFailed);
    } catch (error) {
      this.#datagramFailed(error);
    }
  };

  /** `datagramReceived` threw or its promise rejected: log it; the port keeps running. */
  #datagramFailed = (error: unknown): void => {
    log.failure("Unhandled error in {protocol}.datagramReceived", Failure.from(error), {
      protocol: this.#name(),
    });
  };

  #onError = (err: NodeJS.ErrnoException): void => {
    if (err.code === "ECONNREFUSED") {
      try {
        this.#protocol.connectionRefused();
      } catch (error) {
        log.failure("Error in {protocol}.connectionRefused", Failure.from(error), {
          protocol: this.#name(),
        });
      }
      return;
    }
    log.failure("Error on UDP port {port}", Failure.from(err), { port: this.#host?.port });
  };

  /** Send callback: report a refused datagram to the protocol, log anything else. */
  #onSent = (err: Error | null): void => {
    if (err !== null) this.#onError(err as NodeJS.ErrnoException);
  };

  #shutdown = (): void => {
    this.#trigger = undefined;
    this.stopListening();
  };

  #name(): string {
    return this.#protocol.constructor.name;
  }
}
