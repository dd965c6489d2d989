/**
 * Base classes for stream protocols, after `twisted.internet.protocol`.
 *
 * @module
 */
import { ConnectionDone, NotConnectedError } from "../errors.ts";
import { Failure } from "../failure.ts";
import type { IProtocol, IProtocolFactory, ITransport } from "../interfaces.ts";
import type { MaybeAsync } from "./contain.ts";

/** The default reason given to `connectionLost` for a clean close (Twisted's `connectionDone`). */
export const connectionDone: Failure<ConnectionDone> = new Failure(new ConnectionDone());

/**
 * The base of every stream protocol: connection bookkeeping with no-op callbacks.
 * Prefer {@link Protocol}, which adds `dataReceived`.
 */
export class BaseProtocol {
  /**
   * Set `true` by `makeConnection`. As in Twisted, nothing sets it back: a protocol that reads
   * it after the connection closed sets it `false` in its own `connectionLost` (the transport's
   * `connected` flag is the authoritative one).
   */
  connected = false;
  #transport: ITransport | undefined;

  /**
   * The transport, set by {@link BaseProtocol.makeConnection} before `connectionMade`.
   * Reading it before then throws {@link NotConnectedError}.
   */
  get transport(): ITransport {
    const t = this.#transport;
    if (t === undefined)
      throw new NotConnectedError(`${this.constructor.name} has no transport: it is not connected`);
    return t;
  }
  set transport(t: ITransport | undefined) {
    this.#transport = t;
  }

  /** `true` once a transport was attached (it may have disconnected since). */
  get hasTransport(): boolean {
    return this.#transport !== undefined;
  }

  /**
   * Attach `transport` and call {@link BaseProtocol.connectionMade}, returning what it
   * returned (so the transport sees an `async` connectionMade's rejection). Called by the transport.
   */
  makeConnection(transport: ITransport): MaybeAsync {
    this.connected = true;
    this.#transport = transport;
    return this.connectionMade();
  }

  /** The connection is up; send a greeting here. May be `async`. The default does nothing. */
  connectionMade(): MaybeAsync {}
}

/**
 * A stream protocol with no-op defaults: override {@link Protocol.dataReceived} and friends.
 *
 * ```ts
 * class Echo extends Protocol {
 *   override dataReceived(data: Buffer): void {
 *     this.transport.write(data);
 *   }
 * }
 * ```
 */
export class Protocol extends BaseProtocol implements IProtocol {
  /** The factory that built this protocol, set by `Factory.buildProtocol`. */
  factory: IProtocolFactory | undefined;

  /**
   * Bytes arrived: any length, with no relation to message boundaries. May be `async` (a
   * rejection aborts the connection, as an exception does). The default does nothing.
   */
  dataReceived(_data: Buffer): MaybeAsync {}

  /**
   * The connection was closed: `reason` wraps `ConnectionDone` for a clean close, or
   * `ConnectionLost` otherwise. The default does nothing.
   */
  connectionLost(_reason: Failure = connectionDone): MaybeAsync {}

  /** A short description for logs: the class name, as Twisted's `logPrefix()`. */
  logPrefix(): string {
    return this.constructor.name;
  }
}
