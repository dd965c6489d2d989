/**
 * {@link ConnectionTrackingFactory}: the wrapper a {@link StreamServerEndpointService} puts around
 * its factory to log each connection with Twisted's per-connection prefix and to let open
 * connections drain at shutdown.
 *
 * @module
 */
import {
  ConnectionDone,
  Deferred,
  type Failure,
  type IProtocol,
  type IProtocolFactory,
  type IReactorTime,
  type ITransport,
  Logger,
  logPrefixOf,
  ProtocolWrapper,
  succeed,
  WrappingFactory,
} from "@torsion/core";

const log = new Logger("torsion.application.connections");

/** Options of {@link ConnectionTrackingFactory}. */
export interface ConnectionTrackingOptions {
  /** Log "Connection made" and "Connection lost" for each connection (default `true`). */
  logConnections?: boolean;
}

/**
 * A protocol wrapper that is invisible in logs: its prefix is the wrapped protocol's, so the
 * transport's prefix reads `Echo,3,127.0.0.1` as if nothing were in between.
 */
class TrackedProtocol extends ProtocolWrapper {
  readonly #owner: ConnectionTrackingFactory;

  constructor(factory: ConnectionTrackingFactory, wrapped: IProtocol) {
    super(factory, wrapped);
    this.#owner = factory;
  }

  override logPrefix(): string {
    return logPrefixOf(this.wrappedProtocol);
  }

  override makeConnection(transport: ITransport): void {
    if (this.#owner.logConnections) {
      log.info("Connection made", {
        log_system: systemOf(transport, this),
        peer: String(peerOf(transport)),
      });
    }
    super.makeConnection(transport);
  }

  override connectionLost(reason: Failure): void {
    try {
      super.connectionLost(reason);
    } finally {
      if (this.#owner.logConnections) {
        const clean = reason.check(ConnectionDone) !== null;
        log.info(clean ? "Connection lost: closed cleanly" : "Connection lost: {reason}", {
          log_system: this.hasTransport ? systemOf(this.transport, this) : this.logPrefix(),
          reason: reason.getErrorMessage(),
        });
      }
    }
  }
}

/**
 * Wraps a server factory: every connection is tracked (and logged unless told not to), and
 * {@link ConnectionTrackingFactory.drain} waits for the open ones to close.
 */
export class ConnectionTrackingFactory extends WrappingFactory {
  /** Whether each connection is logged. */
  logConnections: boolean;
  #drained: (() => void)[] = [];

  constructor(wrappedFactory: IProtocolFactory, options: ConnectionTrackingOptions = {}) {
    super(wrappedFactory);
    this.logConnections = options.logConnections ?? true;
  }

  /** The wrapped factory's prefix, so `Echo starting on 8007` reads as without the wrapper. */
  override logPrefix(): string {
    return logPrefixOf(this.wrappedFactory);
  }

  protected override wrapProtocol(wrapped: IProtocol): ProtocolWrapper {
    return new TrackedProtocol(this, wrapped);
  }

  override unregisterProtocol(p: ProtocolWrapper): void {
    super.unregisterProtocol(p);
    if (this.protocols.size === 0) {
      const waiting = this.#drained;
      this.#drained = [];
      for (const fire of waiting) fire();
    }
  }

  /**
   * Wait for the open connections to close, at most `timeout` seconds on `clock`; then ask the
   * ones still open to close (`loseConnection`: what was written is still sent).
   *
   * @returns A Deferred that fires once no connection is open or the time is up. Never fails.
   */
  drain(clock: IReactorTime, timeout: number): Deferred<void> {
    if (this.protocols.size === 0) return succeed(undefined);
    const d = new Deferred<void>();
    const call = clock.callLater(Math.max(0, timeout), () => {
      const open = [...this.protocols];
      if (open.length > 0) {
        log.info("Closing {count} connection(s) still open after {timeout} s", {
          count: open.length,
          timeout,
        });
      }
      for (const p of open) p.loseConnection();
      if (!d.called) d.callback(undefined);
    });
    this.#drained.push(() => {
      if (call.active()) call.cancel();
      if (!d.called) d.callback(undefined);
    });
    return d;
  }
}

function systemOf(transport: ITransport, protocol: TrackedProtocol): string {
  return logPrefixOf(transport, protocol.logPrefix());
}

function peerOf(transport: ITransport): unknown {
  try {
    const peer = transport.getPeer() as { host?: string; port?: number; name?: string | null };
    return peer.host !== undefined ? `${peer.host}:${peer.port}` : (peer.name ?? "?");
  } catch {
    return "?";
  }
}
