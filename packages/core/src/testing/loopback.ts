/**
 * In-memory connected client/server pairs: {@link connectedServerAndClient} and
 * {@link IOPump}, after Twisted's `twisted.test.iosim`.
 *
 * @module
 */
import { ConnectionAborted, ConnectionDone, ConnectionLost } from "../errors.ts";
import { Failure } from "../failure.ts";
import type {
  IAddress,
  IHalfCloseableProtocol,
  IProtocol,
  IProtocolFactory,
} from "../interfaces.ts";
import { IPv4Address } from "../transport/address.ts";
import { type End, endOf, FakeTransport } from "./fake-transport.ts";

function isHalfCloseable(p: IProtocol): p is IProtocol & IHalfCloseableProtocol {
  return typeof (p as Partial<IHalfCloseableProtocol>).readConnectionLost === "function";
}

/**
 * Moves bytes between the two {@link FakeTransport}s of an in-memory connection, one step at a
 * time ({@link IOPump.pump}) or until nothing moves ({@link IOPump.flush}).
 *
 * Protocol callbacks run synchronously inside `pump`; whatever they throw propagates to the
 * test (unlike the reactor, which would log it and close the connection). The state of the pair
 * is updated before the callbacks run, so pumping again after a throw continues sensibly.
 */
export class IOPump {
  readonly client: IProtocol;
  readonly server: IProtocol;
  readonly clientTransport: FakeTransport;
  readonly serverTransport: FakeTransport;

  constructor(
    client: IProtocol,
    server: IProtocol,
    clientTransport: FakeTransport,
    serverTransport: FakeTransport,
  ) {
    this.client = client;
    this.server = server;
    this.clientTransport = clientTransport;
    this.serverTransport = serverTransport;
  }

  /**
   * Move pending data both ways (skipping a side that paused reading), let producers write,
   * and otherwise process one pending close. Returns whether anything happened.
   */
  pump(): boolean {
    const c = endOf(this.clientTransport);
    const s = endOf(this.serverTransport);
    if (c.lost && s.lost) return false;

    const aborted = c.aborted && !c.lost ? c : s.aborted && !s.lost ? s : undefined;
    if (aborted !== undefined) {
      const peer = aborted === c ? s : c;
      this.#lose(aborted, new ConnectionAborted(), peer, new ConnectionLost());
      return true;
    }

    const toServer = this.#takeFor(c, s);
    const toClient = this.#takeFor(s, c);
    let moved = false;
    try {
      if (toServer !== undefined) {
        moved = true;
        s.protocol.dataReceived(toServer);
      }
    } finally {
      if (toClient !== undefined) {
        moved = true;
        c.protocol.dataReceived(toClient);
      }
    }
    if (this.#runProducers(c)) moved = true;
    if (this.#runProducers(s)) moved = true;
    if (moved) return true;

    for (const [end, peer] of [
      [c, s],
      [s, c],
    ] as const) {
      if (end.writeClosed && !end.eofSent && end.outSize === 0 && !end.lost) {
        end.eofSent = true;
        if (isHalfCloseable(peer.protocol)) {
          try {
            peer.protocol.readConnectionLost();
          } finally {
            (end.protocol as Partial<IHalfCloseableProtocol>).writeConnectionLost?.();
          }
        } else {
          peer.disconnecting = true; // a protocol that cannot half-close closes on end of input
        }
        return true;
      }
    }

    for (const [end, peer] of [
      [s, c],
      [c, s],
    ] as const) {
      if (end.disconnecting && end.outSize === 0 && !end.lost) {
        // The peer hears first, as when the closing side's FIN arrives; then the closer.
        this.#lose(peer, new ConnectionDone(), end, new ConnectionDone());
        return true;
      }
    }
    return false;
  }

  /**
   * Pump until nothing moves. Returns whether anything moved.
   *
   * @throws Error if things are still moving after `maxPumps` pumps (a producer that never
   *   stops, or two protocols that answer each other forever).
   */
  flush(maxPumps = 1000): boolean {
    let result = false;
    for (let i = 0; i < maxPumps; i++) {
      if (!this.pump()) return result;
      result = true;
    }
    throw new Error(`IOPump.flush: still moving data after ${maxPumps} pumps`);
  }

  /** Data from `from` for `to`: held while `to` is paused, dropped if `to` is closing. */
  #takeFor(from: End, to: End): Buffer | undefined {
    if (from.outSize === 0 || to.lost) return undefined;
    if (to.disconnecting) {
      from.discard();
      return undefined;
    }
    if (to.readState !== "producing") return undefined;
    return from.take();
  }

  /** Resume a producer paused for back-pressure, or ask a pull producer for more. */
  #runProducers(end: End): boolean {
    const producer = end.producer;
    if (producer === null || end.lost || end.outSize > 0) return false;
    if (end.streaming) {
      if (!end.producerPaused) return false;
      end.producerPaused = false;
      producer.resumeProducing();
      return true;
    }
    producer.resumeProducing();
    return end.outSize > 0 || end.producer !== producer;
  }

  #lose(first: End, firstReason: Error, second: End, secondReason: Error): void {
    for (const end of [first, second]) {
      end.lost = true;
      end.disconnecting = true;
      end.discard();
    }
    try {
      this.#report(first, firstReason);
    } finally {
      this.#report(second, secondReason);
    }
  }

  #report(end: End, reason: Error): void {
    const producer = end.producer;
    end.producer = null;
    try {
      producer?.stopProducing();
    } finally {
      end.protocol.connectionLost(new Failure(reason));
    }
  }
}

/** Options for {@link connectedServerAndClient}. */
export interface ConnectedServerAndClientOptions {
  /** Flush once before returning, so greetings are exchanged (default `true`). */
  greet?: boolean;
  /** The client's address (the server's `getPeer()`); default `IPv4Address("TCP", "127.0.0.1", 54321)`. */
  clientAddress?: IAddress;
  /** The server's address (the client's `getPeer()`); default `IPv4Address("TCP", "127.0.0.1", 8007)`. */
  serverAddress?: IAddress;
  /** Back-pressure threshold of each transport, in bytes (default 65536). */
  highWaterMark?: number;
}

/** What {@link connectedServerAndClient} returns. */
export interface ConnectedPair<S extends IProtocol, C extends IProtocol> {
  client: C;
  server: S;
  pump: IOPump;
}

function isFactory(x: IProtocol | IProtocolFactory): x is IProtocolFactory {
  return typeof (x as Partial<IProtocolFactory>).buildProtocol === "function";
}

function protocolFor(side: string, x: IProtocol | IProtocolFactory, addr: IAddress): IProtocol {
  if (!isFactory(x)) return x;
  const p = x.buildProtocol(addr);
  if (p === null)
    throw new Error(`the ${side} factory refused the connection (buildProtocol returned null)`);
  return p;
}

/**
 * Connect a server and a client in memory: each given as a protocol instance or as a factory
 * (whose `buildProtocol` is called with the other side's address). Both get `makeConnection`
 * (server first), then, unless `greet` is `false`, the pump is flushed once.
 *
 * ```ts
 * const { client, server, pump } = connectedServerAndClient(Factory.forProtocol(Echo), new Recorder());
 * client.transport.write("hi");
 * pump.flush();
 * ```
 *
 * @throws Error if a factory returns `null`; whatever a protocol callback throws.
 */
export function connectedServerAndClient<
  S extends IProtocol = IProtocol,
  C extends IProtocol = IProtocol,
>(
  server: S | IProtocolFactory,
  client: C | IProtocolFactory,
  options: ConnectedServerAndClientOptions = {},
): ConnectedPair<S, C> {
  const clientAddress = options.clientAddress ?? new IPv4Address("TCP", "127.0.0.1", 54321);
  const serverAddress = options.serverAddress ?? new IPv4Address("TCP", "127.0.0.1", 8007);
  const serverProtocol = protocolFor("server", server, clientAddress) as S;
  const clientProtocol = protocolFor("client", client, serverAddress) as C;
  const hwm = options.highWaterMark;
  const serverTransport = new FakeTransport(serverProtocol, {
    hostAddress: serverAddress,
    peerAddress: clientAddress,
    ...(hwm === undefined ? {} : { highWaterMark: hwm }),
  });
  const clientTransport = new FakeTransport(clientProtocol, {
    hostAddress: clientAddress,
    peerAddress: serverAddress,
    ...(hwm === undefined ? {} : { highWaterMark: hwm }),
  });
  serverProtocol.makeConnection(serverTransport);
  clientProtocol.makeConnection(clientTransport);
  const pump = new IOPump(clientProtocol, serverProtocol, clientTransport, serverTransport);
  if (options.greet ?? true) pump.flush();
  return { client: clientProtocol, server: serverProtocol, pump };
}
