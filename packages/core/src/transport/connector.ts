/**
 * {@link StreamConnector}: a client connection attempt over TCP, UNIX or TLS that can be
 * stopped and retried (Twisted's `BaseConnector` with `tcp.Client`).
 *
 * @module
 */
import type { Socket } from "node:net";
import { type ConnectError, TimeoutError, UserError } from "../errors.ts";
import { Failure } from "../failure.ts";
import type {
  IAddress,
  IConnector,
  IDelayedCall,
  IProtocol,
  IProtocolFactory,
  IReactorTime,
} from "../interfaces.ts";
import { Logger } from "../logger/logger.ts";
import { isClientFactory } from "../protocol/factory.ts";
import { Protocol } from "../protocol/protocol.ts";
import { factoryFlowControl } from "./flow-control.ts";
import type { ShutdownHooks } from "./port.ts";
import { type ConnectionOwner, TCPTransport } from "./tcp.ts";

const log = new Logger("torsion.transport");

/** How a connector opens its socket and names its ends. */
export interface StreamConnectorConfig {
  /** Open a socket that starts connecting (with `allowHalfOpen: true`). */
  open(): Socket;
  /** The event that says the connection is ready: `connect`, or `secureConnect` for TLS. */
  connectEvent: string;
  /** Map an error from the attempt (`ECONNREFUSED`, a certificate error, …). */
  connectError(err: NodeJS.ErrnoException): ConnectError;
  /** Where it connects to. */
  destination: IAddress;
  /** The remote address once connected. */
  peerAddress(socket: Socket): IAddress;
  /** The local address, when the socket cannot tell (UNIX). */
  hostAddress?: IAddress;
  /** Seconds to wait for the connection; 0 or `Infinity` waits forever. */
  timeout: number;
}

/** The reactor services a connector uses: time for its timeout, a trigger for shutdown. */
export type ConnectorReactor = IReactorTime & ShutdownHooks;

type State = "disconnected" | "connecting" | "connected";

/**
 * A connection attempt to one destination, reporting to the factory: `startedConnecting`
 * when it starts, `clientConnectionFailed(connector, reason)` if it fails
 * (`ConnectionRefusedError`, `TimeoutError` after `timeout` seconds, `DNSLookupError`,
 * `CertificateError`, `UserError` for {@link stopConnecting}, …) and
 * `clientConnectionLost(connector, reason)` when an established connection ends. Either
 * callback may call {@link connect} to try again (as `ReconnectingClientFactory` does). The
 * factory's `doStart` runs before the first attempt and `doStop` once it is disconnected and
 * not retrying. At reactor shutdown an open connection is closed (`ConnectionDone`).
 */
export class StreamConnector implements IConnector, ConnectionOwner {
  readonly #config: StreamConnectorConfig;
  readonly #factory: IProtocolFactory;
  readonly #reactor: ConnectorReactor;
  #state: State = "disconnected";
  #factoryStarted = false;
  #socket: Socket | undefined;
  #transport: TCPTransport | undefined;
  #timer: IDelayedCall | undefined;
  #trigger: unknown;

  /** @internal Made by the reactor's `connect*` methods. */
  constructor(config: StreamConnectorConfig, factory: IProtocolFactory, reactor: ConnectorReactor) {
    this.#config = config;
    this.#factory = factory;
    this.#reactor = reactor;
  }

  /** `"disconnected"`, `"connecting"` or `"connected"`. */
  get state(): State {
    return this.#state;
  }

  /** The factory this connector reports to. */
  get factory(): IProtocolFactory {
    return this.#factory;
  }

  /** The connected transport, while connected. */
  get transport(): TCPTransport | undefined {
    return this.#transport;
  }

  /**
   * Start connecting (again).
   *
   * @throws Error if already connecting or connected.
   */
  connect(): void {
    if (this.#state !== "disconnected")
      throw new Error(`Can't connect in this state: ${this.#state}`);
    this.#state = "connecting";
    if (!this.#factoryStarted) {
      this.#factory.doStart();
      this.#factoryStarted = true;
    }
    this.#trigger ??= this.#reactor.addSystemEventTrigger("during", "shutdown", this.#shutdown);
    let socket: Socket;
    try {
      socket = this.#config.open();
    } catch (error) {
      this.#state = "disconnected";
      this.#finish();
      throw error;
    }
    this.#socket = socket;
    socket.once(this.#config.connectEvent, this.#onConnect);
    socket.once("error", this.#onError);
    const timeout = this.#config.timeout;
    if (timeout > 0 && Number.isFinite(timeout)) {
      this.#timer = this.#reactor.callLater(timeout, this.#onTimeout);
    }
    const f = this.#factory as { startedConnecting?: (c: IConnector) => void };
    if (typeof f.startedConnecting === "function") f.startedConnecting(this);
  }

  /**
   * Abandon the attempt in progress: the factory's `clientConnectionFailed` gets `UserError`.
   *
   * @throws Error (Twisted's `NotConnectingError`) if not connecting.
   */
  stopConnecting(): void {
    if (this.#state !== "connecting") throw new Error("We're not trying to connect");
    this.#failAttempt(new UserError());
  }

  /** Close the connection (flushing first), or stop connecting if not connected yet. */
  disconnect(): void {
    if (this.#state === "connecting") this.stopConnecting();
    else if (this.#state === "connected") this.#transport?.loseConnection();
  }

  /** Where this connector connects to. */
  getDestination(): IAddress {
    return this.#config.destination;
  }

  /** @internal The connection ended: tell the factory (which may reconnect). */
  connectionClosed(_transport: TCPTransport, reason: Failure): void {
    this.#transport = undefined;
    this.#socket = undefined;
    this.#state = "disconnected";
    const f = this.#factory;
    if (isClientFactory(f)) {
      try {
        f.clientConnectionLost(this, reason);
      } catch (error) {
        log.failure("Error in {factory}.clientConnectionLost", Failure.from(error), {
          factory: f.constructor.name,
        });
      }
    }
    this.#finish();
  }

  #onConnect = (): void => {
    this.#connected();
  };

  /**
   * The connection is up: build the protocol and start its transport. `resetBy` is the error
   * of a connection the server reset right after accepting it (it aborted in its
   * `connectionMade`): as in Twisted, the protocol still sees `connectionMade`, then
   * `connectionLost` with `ConnectionLost`, rather than the factory a failed attempt.
   */
  #connected(resetBy?: Error): void {
    const socket = this.#socket!;
    socket.removeListener("error", this.#onError);
    this.#cancelTimer();
    this.#state = "connected";
    let protocol: IProtocol | null;
    let peer: IAddress;
    try {
      peer = this.#config.peerAddress(socket);
      protocol = this.#factory.buildProtocol(peer);
    } catch (error) {
      log.failure("Error in {factory}.buildProtocol", Failure.from(error), {
        factory: this.#factory.constructor.name,
      });
      socket.on("error", ignore);
      socket.destroy();
      this.#failed(Failure.from(error));
      return;
    }
    // Twisted: a refusing factory's connection is closed cleanly with a do-nothing protocol.
    const refused = protocol === null;
    let transport: TCPTransport;
    try {
      transport = new TCPTransport(socket, protocol ?? new Protocol(), {
        peer,
        host: this.#config.hostAddress,
        sessionno: -1,
        owner: this,
        flowControl: factoryFlowControl(this.#factory),
      });
    } catch (error) {
      log.failure("Bad flowControl on {factory}", Failure.from(error), {
        factory: this.#factory.constructor.name,
      });
      socket.on("error", ignore);
      socket.destroy();
      this.#failed(Failure.from(error));
      return;
    }
    this.#transport = transport;
    transport.start(resetBy);
    if (refused) transport.loseConnection();
  }

  #onError = (err: NodeJS.ErrnoException): void => {
    if (this.#state !== "connecting") return;
    // A reset can only come once the TCP handshake completed: the server accepted, then
    // aborted. (Over TLS the handshake had not completed: that stays a failed attempt.)
    if (err.code === "ECONNRESET" && this.#config.connectEvent === "connect") {
      this.#socket!.removeListener(this.#config.connectEvent, this.#onConnect);
      this.#connected(err);
      return;
    }
    this.#failAttempt(this.#config.connectError(err));
  };

  #onTimeout = (): void => {
    this.#timer = undefined;
    if (this.#state === "connecting") this.#failAttempt(new TimeoutError());
  };

  #shutdown = (): void => {
    this.#trigger = undefined;
    if (this.#state === "connecting")
      this.#failAttempt(new UserError("Reactor shut down before the connection was made."));
    else if (this.#state === "connected") this.#transport?.closeNow();
  };

  #failAttempt(reason: Error): void {
    const socket = this.#socket;
    if (socket !== undefined) {
      socket.removeListener(this.#config.connectEvent, this.#onConnect);
      socket.removeListener("error", this.#onError);
      socket.on("error", ignore);
      socket.destroy();
    }
    this.#failed(new Failure(reason));
  }

  #failed(reason: Failure): void {
    this.#cancelTimer();
    this.#socket = undefined;
    this.#state = "disconnected";
    const f = this.#factory;
    if (isClientFactory(f)) {
      try {
        f.clientConnectionFailed(this, reason);
      } catch (error) {
        log.failure("Error in {factory}.clientConnectionFailed", Failure.from(error), {
          factory: f.constructor.name,
        });
      }
    }
    this.#finish();
  }

  /** After a failure or a loss: unless the factory reconnected, stop it and drop the trigger. */
  #finish(): void {
    if (this.#state !== "disconnected") return;
    if (this.#factoryStarted) {
      this.#factoryStarted = false;
      this.#factory.doStop();
    }
    if (this.#trigger !== undefined) {
      const t = this.#trigger;
      this.#trigger = undefined;
      this.#reactor.removeSystemEventTrigger(t);
    }
  }

  #cancelTimer(): void {
    const t = this.#timer;
    this.#timer = undefined;
    if (t?.active()) t.cancel();
  }
}

function ignore(): void {}
