/**
 * Factories make one protocol per connection, after `twisted.internet.protocol`.
 *
 * @module
 */
import type { Failure } from "../failure.ts";
import type { IAddress, IConnector, IProtocol, IProtocolFactory } from "../interfaces.ts";
import type { FlowControlOptions } from "../transport/flow-control.ts";

/** A constructor for a protocol, with any constructor arguments. */
export type ProtocolClass<P extends IProtocol = IProtocol, A extends unknown[] = unknown[]> = new (
  ...args: A
) => P;

/**
 * Makes protocols for connections. Set {@link Factory.protocol} (or use
 * {@link Factory.forProtocol}) and the default {@link Factory.buildProtocol} instantiates it
 * and sets its `factory` property.
 *
 * `startFactory` runs when the first port or connector starts using the factory and
 * `stopFactory` when the last one stops, however many there are.
 */
export class Factory implements IProtocolFactory {
  /** The protocol class built by {@link Factory.buildProtocol}. */
  protocol: ProtocolClass | undefined;
  /** Arguments passed to the protocol's constructor. */
  protocolArgs: unknown[] = [];
  /** Ports and connectors currently using this factory. */
  numPorts = 0;
  /** Whether `doStart`/`doStop` are logged (Twisted's `noisy`). */
  noisy = true;
  #flowControl: FlowControlOptions | undefined;

  /**
   * Flow control for the connections of this factory, over the defaults (server connections
   * stop reading while their write buffer is past 64 KiB; no connection may queue more than
   * 64 MiB unsent): e.g. `{ pauseReading: false }`, `{ highWaterMark: 1 << 20 }`,
   * `{ maxUnsent: Infinity }`. Read when each connection starts.
   */
  get flowControl(): FlowControlOptions | undefined {
    return this.#flowControl;
  }
  set flowControl(options: FlowControlOptions | undefined) {
    this.#flowControl = options;
  }

  /** A factory that builds `new P(...args)` for each connection. */
  static forProtocol<F extends Factory, A extends unknown[]>(
    this: new () => F,
    protocol: ProtocolClass<IProtocol, A>,
    ...args: A
  ): F {
    const f = new this();
    f.protocol = protocol as ProtocolClass;
    f.protocolArgs = args;
    return f;
  }

  /** Called by ports/connectors when they start using the factory. Do not override; see {@link startFactory}. */
  doStart(): void {
    if (this.numPorts === 0) this.startFactory();
    this.numPorts++;
  }

  /** Called by ports/connectors when they stop using the factory. Do not override; see {@link stopFactory}. */
  doStop(): void {
    if (this.numPorts === 0) return; // already stopped: Twisted ignores an unbalanced doStop
    this.numPorts--;
    if (this.numPorts === 0) this.stopFactory();
  }

  /** Set up shared state (open a database, a log file). The default does nothing. */
  startFactory(): void {}

  /** Tear down shared state. The default does nothing. */
  stopFactory(): void {}

  /**
   * Make a protocol for a connection from/to `addr`, or return `null` to refuse it (the
   * transport then closes the connection at once).
   */
  buildProtocol(_addr: IAddress): IProtocol | null {
    const P = this.protocol;
    if (P === undefined) {
      throw new TypeError(
        `${this.constructor.name}.protocol is not set: use ${this.constructor.name}.forProtocol(P) or override buildProtocol`,
      );
    }
    const p = new P(...this.protocolArgs);
    (p as { factory?: IProtocolFactory }).factory = this;
    return p;
  }

  /** A short description for logs: the class name. */
  logPrefix(): string {
    return this.constructor.name;
  }
}

/** A factory for servers (Twisted's `ServerFactory`; no extra behaviour, it names the role). */
export class ServerFactory extends Factory {}

/**
 * A factory for clients: hears about the connection attempt and its end through the connector.
 */
export class ClientFactory extends Factory {
  /** A connection attempt started. */
  startedConnecting(_connector: IConnector): void {}

  /** The connection attempt failed (`ConnectionRefusedError`, `TimeoutError`, `UserError`, …). */
  clientConnectionFailed(_connector: IConnector, _reason: Failure): void {}

  /** An established connection was lost; call `connector.connect()` to reconnect. */
  clientConnectionLost(_connector: IConnector, _reason: Failure): void {}
}

/** Whether `factory` has {@link ClientFactory}'s callbacks (duck-typed, as Twisted's connectors are). */
export function isClientFactory(
  factory: IProtocolFactory,
): factory is IProtocolFactory & ClientFactory {
  const f = factory as Partial<ClientFactory>;
  return (
    typeof f.clientConnectionFailed === "function" && typeof f.clientConnectionLost === "function"
  );
}
