/**
 * {@link ConnectionTrackingFactory}: the wrapper a {@link StreamServerEndpointService} puts around
 * its factory to log each connection with Twisted's per-connection prefix, to cap how many are
 * open, and to let open connections drain at shutdown.
 *
 * @module
 */
import {
  Deferred,
  describeConnectionLoss,
  type Failure,
  type IAddress,
  type IProtocol,
  type IProtocolFactory,
  type IReactorTime,
  type ITransport,
  Logger,
  logPrefixOf,
  type MaybeAsync,
  ProtocolWrapper,
  succeed,
  WrappingFactory,
} from "@torsion/core";
import { ForwardingTransport } from "@torsion/core/policies";
import { IdleTimeoutProtocol } from "./idle-timeout.ts";

const log = new Logger("torsion.application.connections");

/** Options of {@link ConnectionTrackingFactory}. */
export interface ConnectionTrackingOptions {
  /** Log "Connection made" and "Connection lost" for each connection (default `true`). */
  logConnections?: boolean | undefined;
  /** Refuse connections past this many open at once (default `null`: no limit). */
  maxConnections?: number | null | undefined;
  /** The clock refused connections are counted on for the rate-limited log line. */
  clock?: IReactorTime | undefined;
  /** Why the wrapped factory refuses a connection, for the log line. */
  refusedWhy?: string | undefined;
}

/** What the tracking wrapper knows about a connection's end besides its reason. */
interface LossContext {
  /** Its idle timeout closed it, after this many seconds. */
  timedOutAfter?: number;
  /** The shutdown deadline cut it with this many bytes still unsent. */
  droppedAtShutdown?: number;
}

/** At most one "Refused" log line per this many seconds, with the count since the last one. */
export const REFUSED_LOG_INTERVAL = 10;

/**
 * A protocol wrapper that is invisible in logs: its prefix is the wrapped protocol's, so the
 * transport's prefix reads `Echo,3,127.0.0.1` as if nothing were in between.
 */
class TrackedProtocol extends ProtocolWrapper {
  readonly #owner: ConnectionTrackingFactory;
  /** Set when something other than the reason knows how the connection ended. */
  loss: LossContext = {};

  constructor(factory: ConnectionTrackingFactory, wrapped: IProtocol) {
    super(factory, wrapped);
    this.#owner = factory;
  }

  /** The user's protocol's prefix, past the runner's own wrappers (idle timeout, per-peer cap). */
  override logPrefix(): string {
    let inner: IProtocol = this.wrappedProtocol;
    while (inner instanceof ProtocolWrapper) inner = inner.wrappedProtocol;
    return logPrefixOf(inner);
  }

  // Both return what `super` returns (the wrapped protocol's promise, for an `async`
  // callback), so the transport sees its rejection and aborts this connection.
  override makeConnection(transport: ITransport): MaybeAsync {
    if (this.#owner.logConnections) {
      log.info("Connection made", {
        log_system: systemOf(transport, this),
        peer: String(peerOf(transport)),
      });
    }
    return super.makeConnection(transport);
  }

  override connectionLost(reason: Failure): MaybeAsync {
    try {
      return super.connectionLost(reason);
    } finally {
      if (this.#owner.logConnections) {
        const inner = this.wrappedProtocol;
        const loss: LossContext = { ...this.loss };
        if (inner instanceof IdleTimeoutProtocol && inner.timedOut && inner.idlePeriod !== null)
          loss.timedOutAfter = inner.idlePeriod;
        log.info("Connection lost: {how}", {
          log_system: this.hasTransport ? systemOf(this.transport, this) : this.logPrefix(),
          how: describeLoss(reason, loss),
          reason: reason.getErrorMessage(),
        });
      }
    }
  }
}

/**
 * Wraps a server factory: every connection is tracked (and logged unless told not to),
 * connections past {@link ConnectionTrackingFactory.maxConnections} are refused (counted, and
 * logged at most once per `REFUSED_LOG_INTERVAL`, 10 seconds), and
 * {@link ConnectionTrackingFactory.drain} waits for the open ones to close.
 */
export class ConnectionTrackingFactory extends WrappingFactory {
  /** Whether each connection is logged. */
  logConnections: boolean;
  /** The most connections open at once; `null` for no limit. */
  maxConnections: number | null;
  /** How many connections were refused (by the cap here, or by the wrapped factory). */
  refusedCount = 0;
  readonly #clock: IReactorTime | undefined;
  readonly #refusedWhy: string;
  #refusedSinceLog = 0;
  #lastRefusedLog = Number.NEGATIVE_INFINITY;
  #drained: (() => void)[] = [];

  constructor(wrappedFactory: IProtocolFactory, options: ConnectionTrackingOptions = {}) {
    super(wrappedFactory);
    this.logConnections = options.logConnections ?? true;
    this.maxConnections = options.maxConnections ?? null;
    this.#clock = options.clock;
    this.#refusedWhy = options.refusedWhy ?? "the factory refused it";
  }

  /** The wrapped factory's prefix, so `Echo starting on 8007` reads as without the wrapper. */
  override logPrefix(): string {
    return logPrefixOf(this.wrappedFactory);
  }

  /** The wrapped factory's protocol, tracked; `null` (the connection is closed) past the cap. */
  override buildProtocol(addr: IAddress): ProtocolWrapper | null {
    if (this.maxConnections !== null && this.protocols.size >= this.maxConnections) {
      this.#refused(addr, `${this.maxConnections} connections are open (--max-connections)`);
      return null;
    }
    const p = super.buildProtocol(addr);
    if (p === null) this.#refused(addr, this.#refusedWhy);
    return p;
  }

  #refused(addr: IAddress, why: string): void {
    this.refusedCount++;
    this.#refusedSinceLog++;
    const now = this.#clock?.seconds() ?? Date.now() / 1000;
    if (now - this.#lastRefusedLog < REFUSED_LOG_INTERVAL) return;
    log.warn("Refused {count} connection(s) (latest from {peer}: {why}); {total} refused so far", {
      log_system: this.logPrefix(),
      count: this.#refusedSinceLog,
      peer: hostOf(addr),
      why,
      total: this.refusedCount,
    });
    this.#refusedSinceLog = 0;
    this.#lastRefusedLog = now;
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
   * Wait for the open connections to close, at most `timeout` seconds on `clock`; then close
   * the ones still open: `loseConnection` when everything written was sent, else
   * `abortConnection` (logged as "unsent data dropped at shutdown").
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
      for (const p of open) cutAtShutdown(p);
      if (!d.called) d.callback(undefined);
    });
    this.#drained.push(() => {
      if (call.active()) call.cancel();
      if (!d.called) d.callback(undefined);
    });
    return d;
  }
}

function cutAtShutdown(p: ProtocolWrapper): void {
  const unsent = p.hasTransport
    ? ((p.transport as { writeBufferSize?: unknown }).writeBufferSize ?? 0)
    : 0;
  if (typeof unsent === "number" && unsent > 0 && p instanceof TrackedProtocol) {
    p.loss = { droppedAtShutdown: unsent };
    p.abortConnection();
  } else {
    p.loseConnection();
  }
}

/**
 * The words after "Connection lost: ": core's description of `reason` (`lost (ECONNRESET)`),
 * and what only the runner knows: the idle period of a timeout, the bytes dropped by the
 * shutdown deadline (which cuts with `abortConnection`, so the reason alone says "aborted").
 */
function describeLoss(reason: Failure, context: LossContext): string {
  if (context.droppedAtShutdown !== undefined)
    return `unsent data dropped at shutdown (${context.droppedAtShutdown} bytes)`;
  if (context.timedOutAfter !== undefined) return `timed out (idle for ${context.timedOutAfter} s)`;
  return describeConnectionLoss(reason).message;
}

/**
 * The socket transport's prefix (`Echo,3,127.0.0.1`): wrappers between it and this protocol
 * (the metrics' counting wrapper, policies) are looked through, since as transports their
 * prefix is only their protocol's.
 */
function systemOf(transport: ITransport, protocol: TrackedProtocol): string {
  let t = transport;
  while (t instanceof ForwardingTransport && t.hasTransport) t = t.transport;
  return logPrefixOf(t, protocol.logPrefix());
}

function hostOf(addr: IAddress): string {
  const a = addr as { host?: unknown; name?: unknown };
  if (typeof a.host === "string") return a.host;
  return typeof a.name === "string" ? a.name : "?";
}

function peerOf(transport: ITransport): unknown {
  try {
    const peer = transport.getPeer() as { host?: string; port?: number; name?: string | null };
    return peer.host !== undefined ? `${peer.host}:${peer.port}` : (peer.name ?? "?");
  } catch {
    return "?";
  }
}
