/**
 * {@link StreamPort}: a listening stream socket (TCP, UNIX or TLS) that makes one
 * {@link TCPTransport} per accepted connection (Twisted's `tcp.Port`).
 *
 * @module
 */
import type { Server, Socket } from "node:net";
import { Deferred } from "../deferred/deferred.ts";
import { isThenable } from "../deferred/thenable.ts";
import type { CannotListenError } from "../errors.ts";
import { Failure } from "../failure.ts";
import type {
  IAddress,
  IDelayedCall,
  IListeningPort,
  IProtocol,
  IProtocolFactory,
  IReactorCore,
  IReactorTime,
} from "../interfaces.ts";
import { Logger } from "../logger/logger.ts";
import { logPrefixOf } from "../logging-context.ts";
import type { IPv4Address, IPv6Address, UNIXAddress } from "./address.ts";
import { factoryFlowControl } from "./flow-control.ts";
import { type ConnectionOwner, TCPTransport } from "./tcp.ts";

/** The address a port listens on. */
export type PortAddress = IPv4Address | IPv6Address | UNIXAddress;

const log = new Logger("torsion.transport");

/**
 * Seconds over which connections dropped for want of file descriptors (EMFILE/ENFILE on
 * accept) are counted before one log line reports them (nginx pauses accepting 500 ms).
 */
export const ACCEPT_BACKOFF = 0.5;

/** What a port needs from the reactor: a shutdown trigger (so the reactor needs no list of sockets). */
export type ShutdownHooks = Pick<
  IReactorCore,
  "addSystemEventTrigger" | "removeSystemEventTrigger"
>;

/** How a port listens and describes its connections. */
export interface StreamPortConfig {
  /** The Node server (`net.Server` or `tls.Server`), created with `allowHalfOpen: true`. */
  server: Server;
  /** The event that hands over a connected socket: `connection`, or `secureConnection` for TLS. */
  connectionEvent: string;
  /** Start listening (`server.listen(...)`); `listening` or `error` follows. */
  listen(server: Server): void;
  /** The bound address, once listening. */
  hostAddress(server: Server): PortAddress;
  /** The remote address of an accepted socket. */
  peerAddress(socket: Socket): IAddress;
  /** The local address of an accepted socket, when the socket cannot tell (UNIX). */
  connectionHost?: IAddress;
  /** Map a listen error to {@link CannotListenError}. */
  listenError(err: NodeJS.ErrnoException): CannotListenError;
  /** Called once the server is closed (remove a lock file). */
  afterClose?(): void;
  /** The type of the port in log messages: `TCP`, `UNIX`, `TLS`. */
  label: string;
}

/**
 * A listening port. `stopListening()` stops accepting (connections already made stay open);
 * the factory's `doStart` runs when listening starts and `doStop` when it stops. A factory
 * whose `buildProtocol` returns `null` (or throws, which is logged) has the connection closed
 * at once. Each connection gets the next session number (from 0), shown in its log prefix.
 *
 * At reactor shutdown the port stops listening and closes its connections, whose protocols
 * see `ConnectionDone`.
 */
export class StreamPort implements IListeningPort, ConnectionOwner {
  readonly #config: StreamPortConfig;
  readonly #factory: IProtocolFactory;
  readonly #hooks: ShutdownHooks;
  readonly #connections = new Set<TCPTransport>();
  #sessionno = -1;
  #listening = false;
  #host: PortAddress | undefined;
  #stopped: Deferred<void> | undefined;
  #trigger: unknown;
  #refusedForDescriptors = 0;
  #descriptorBurst: IDelayedCall | undefined;

  /** @internal Made by the reactor's `listen*` methods through {@link startListening}. */
  constructor(config: StreamPortConfig, factory: IProtocolFactory, hooks: ShutdownHooks) {
    this.#config = config;
    this.#factory = factory;
    this.#hooks = hooks;
  }

  /** The address being listened on (the real port when 0 was asked for). */
  getHost(): PortAddress {
    return this.#host!;
  }

  /** The factory this port builds protocols with. */
  get factory(): IProtocolFactory {
    return this.#factory;
  }

  /** How many connections this port accepted that are still open. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * Stop accepting connections; those already open stay. Fires once the listening socket is
   * closed and the factory's `doStop` ran; calling it again returns the same result.
   */
  stopListening(): Deferred<void> {
    if (this.#stopped !== undefined) return this.#stopped;
    const d = new Deferred<void>();
    this.#stopped = d;
    if (this.#listening) {
      this.#listening = false;
      // close() closes the listening handle now; its callback would wait for every connection.
      this.#config.server.close();
      this.#config.afterClose?.();
      this.#releaseTrigger();
      log.info("({label} Port {address} Closed)", {
        label: this.#config.label,
        address: describeHost(this.#host),
      });
      try {
        this.#factory.doStop();
      } catch (error) {
        log.failure("Error in {factory}.doStop", Failure.from(error), {
          factory: nameOf(this.#factory),
        });
      }
    }
    d.callback(undefined);
    return d;
  }

  /** `await using port = await reactor.listenTCP(...)` stops listening at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stopListening();
  }

  /** `TCP Port 8007` style description. */
  toString(): string {
    const h = this.#host as { port?: number; name?: string } | undefined;
    return `<${nameOf(this.#factory)} on ${this.#config.label} ${h?.port ?? h?.name ?? "?"}>`;
  }

  /** @internal Start listening; the Deferred fires with this port or fails with `CannotListenError`. */
  start(): Deferred<StreamPort> {
    const server = this.#config.server;
    const d = new Deferred<StreamPort>(() => {
      server.removeAllListeners("listening");
      server.close();
    });
    const onError = (err: NodeJS.ErrnoException): void => {
      server.removeListener("listening", onListening);
      if (!d.called) d.errback(this.#config.listenError(err));
    };
    const onListening = (): void => {
      server.removeListener("error", onError);
      server.on("error", this.#onServerError);
      try {
        this.#host = this.#config.hostAddress(server);
      } catch (error) {
        server.close();
        this.#config.afterClose?.();
        d.errback(error);
        return;
      }
      this.#listening = true;
      server.on(this.#config.connectionEvent, this.#onConnection);
      this.#trigger = this.#hooks.addSystemEventTrigger("during", "shutdown", this.#shutdown);
      try {
        this.#factory.doStart();
      } catch (error) {
        log.failure("Error in {factory}.doStart", Failure.from(error), {
          factory: nameOf(this.#factory),
        });
      }
      log.info("{factory} starting on {address}", {
        factory: nameOf(this.#factory),
        address: describeHost(this.#host),
      });
      d.callback(this);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    try {
      this.#config.listen(server);
    } catch (error) {
      server.removeListener("listening", onListening);
      server.removeListener("error", onError);
      d.errback(error);
    }
    return d;
  }

  /** A connection ended: forget it (called by the transport, through `ConnectionOwner`). */
  connectionClosed(transport: TCPTransport): void {
    this.#connections.delete(transport);
    if (!this.#listening) this.#releaseTrigger();
  }

  #onConnection = (socket: Socket): void => {
    if (!this.#listening) {
      socket.destroy();
      return;
    }
    const sessionno = ++this.#sessionno;
    let peer: IAddress;
    let protocol: ReturnType<IProtocolFactory["buildProtocol"]>;
    try {
      peer = this.#config.peerAddress(socket);
      protocol = this.#factory.buildProtocol(peer);
    } catch (error) {
      log.failure("Error in {factory}.buildProtocol; closing the connection", Failure.from(error), {
        factory: nameOf(this.#factory),
      });
      socket.on("error", ignore);
      socket.destroy();
      return;
    }
    if (isThenable(protocol)) {
      // A factory whose buildProtocol is async (in JavaScript, or cast): hold the socket's
      // reading until the protocol exists; a rejection is handled as a thrown exception.
      socket.pause();
      socket.on("error", ignore);
      (protocol as PromiseLike<IProtocol | null>).then(
        (built) => {
          socket.removeListener("error", ignore);
          if (!this.#listening || socket.destroyed) {
            socket.destroy();
            return;
          }
          // Data flows from a later tick, after the transport attached its listener below.
          socket.resume();
          this.#connect(socket, peer, built, sessionno);
        },
        (error: unknown) => {
          log.failure(
            "Error in {factory}.buildProtocol; closing the connection",
            Failure.from(error),
            { factory: nameOf(this.#factory) },
          );
          socket.destroy();
        },
      );
      return;
    }
    this.#connect(socket, peer, protocol, sessionno);
  };

  #connect(socket: Socket, peer: IAddress, protocol: IProtocol | null, sessionno: number): void {
    if (protocol === null) {
      socket.on("error", ignore);
      socket.destroy();
      return;
    }
    let transport: TCPTransport;
    try {
      transport = new TCPTransport(socket, protocol, {
        peer,
        host: this.#config.connectionHost,
        sessionno,
        owner: this,
        flowControl: factoryFlowControl(this.#factory),
      });
    } catch (error) {
      log.failure("Bad flowControl on {factory}; closing the connection", Failure.from(error), {
        factory: nameOf(this.#factory),
      });
      socket.on("error", ignore);
      socket.destroy();
      return;
    }
    this.#connections.add(transport);
    transport.start();
  }

  #onServerError = (err: NodeJS.ErrnoException): void => {
    if (err.code === "EMFILE" || err.code === "ENFILE")
      this.#outOfDescriptors(err.code, (err as { acceptPausedMs?: number }).acceptPausedMs);
    else log.failure("Error on {port}", Failure.from(err), { port: String(this) });
  };

  /**
   * Accepting failed for want of a file descriptor. On `node:net`, libuv closes the connection
   * it could not accept (its reserve-descriptor trick, so the loop does not spin on a ready
   * listening socket) and Node's listening socket cannot be told to stop accepting; the native
   * transport instead stops accepting for `pausedMs` (the connections wait in the backlog) and
   * says so. Either way a burst is counted and logged once, when it has lasted
   * {@link ACCEPT_BACKOFF} seconds, rather than once per connection or pause. The next burst
   * starts a new count.
   */
  #outOfDescriptors(code: string, pausedMs: number | undefined): void {
    this.#refusedForDescriptors++;
    if (this.#descriptorBurst !== undefined) return;
    const time = this.#hooks as Partial<IReactorTime>;
    const report = (): void => {
      this.#descriptorBurst = undefined;
      const count = this.#refusedForDescriptors;
      this.#refusedForDescriptors = 0;
      if (pausedMs !== undefined)
        log.error(
          "Accepting on {port} paused {count} time(s) for {pausedMs} ms: out of file descriptors ({code}); connections wait in the backlog. Raise the limit (ulimit -n) or lower the load",
          { count, port: String(this), code, pausedMs },
        );
      else
        log.error(
          "{count} connection(s) to {port} dropped: out of file descriptors ({code}); raise the limit (ulimit -n) or lower the load",
          { count, port: String(this), code },
        );
    };
    if (typeof time.callLater === "function")
      this.#descriptorBurst = time.callLater(ACCEPT_BACKOFF, report);
    else report();
  }

  #shutdown = (): void => {
    this.#trigger = undefined;
    if (this.#descriptorBurst?.active()) this.#descriptorBurst.cancel();
    this.#descriptorBurst = undefined;
    this.stopListening();
    for (const t of [...this.#connections]) t.closeNow();
  };

  /** Remove the shutdown trigger once nothing is left for it to close. */
  #releaseTrigger(): void {
    if (this.#trigger === undefined || this.#listening || this.#connections.size > 0) return;
    const t = this.#trigger;
    this.#trigger = undefined;
    this.#hooks.removeSystemEventTrigger(t);
  }
}

function ignore(): void {}

function nameOf(factory: IProtocolFactory): string {
  return logPrefixOf(factory);
}

/** `8007` for an IP port, the path for a UNIX socket (as Twisted logs them). */
function describeHost(host: IAddress | undefined): string {
  const h = host as { port?: number; name?: string | null } | undefined;
  return String(h?.port ?? h?.name ?? "?");
}
