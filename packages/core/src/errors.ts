/**
 * `@torsion/core/errors`: every error class, with Twisted's names, on one {@link TorsionError}
 * base (the PROXY protocol's are in `@torsion/core/haproxy`). The root of `@torsion/core` re-exports the ones programs usually catch
 * (`ConnectionDone`, `ConnectionLost`, `ConnectError`, `CancelledError`, …); the rarer ones
 * (`DNSLookupError`, `QueueOverflow`, `TaskStopped`, …) are imported from here.
 *
 * Callers branch with `failure.check(ConnectionRefusedError)`; where an error came from
 * Node, the original system error is kept as `cause` (so `err.cause.code` is `'ECONNREFUSED'`).
 *
 * @module
 */

/** Base class of every error Torsion raises. `name` is the subclass's name. */
export class TorsionError extends Error {
  /**
   * The message used when the constructor is given none (Twisted's `MESSAGE`): class data,
   * so a subclass that only names its default sets this and writes no constructor.
   */
  static readonly defaultMessage: string = "";
  constructor(message?: string, options?: ErrorOptions) {
    super(message ?? new.target.defaultMessage, options);
    this.name = new.target.name;
  }
}

// --- Deferred -------------------------------------------------------------------------

/** A Deferred was fired (`callback`/`errback`) more than once. */
export class AlreadyCalledError extends TorsionError {}

/** A Deferred was cancelled before it had a result. */
export class CancelledError extends TorsionError {
  static override readonly defaultMessage: string = "Deferred was cancelled";
}

/** An operation (a Deferred's `addTimeout`, a connection attempt) ran out of time. */
export class TimeoutError extends TorsionError {
  static override readonly defaultMessage: string = "User timeout caused connection failure.";
}

/**
 * The first failure of a `gatherResults`/`DeferredList` with `fireOnOneErrback`.
 * `subFailure` is the failure, `index` the position of the Deferred that produced it.
 */
export class FirstError extends TorsionError {
  readonly subFailure: unknown;
  readonly index: number;
  constructor(subFailure: unknown, index: number) {
    const inner =
      subFailure &&
      typeof (subFailure as { getErrorMessage?: unknown }).getErrorMessage === "function"
        ? (subFailure as { getErrorMessage(): string }).getErrorMessage()
        : String(subFailure);
    super(`FirstError[#${index}, ${inner}]`, { cause: subFailure });
    this.subFailure = subFailure;
    this.index = index;
  }
}

/** A Deferred was used in a way its state does not allow (e.g. unpausing an unpaused one). */
export class DeferredStateError extends TorsionError {}

/** `DeferredQueue.put` on a queue that already holds `size` objects. */
export class QueueOverflow extends TorsionError {
  static override readonly defaultMessage: string = "The queue is full.";
}

/** `DeferredQueue.get` when `backlog` gets are already waiting. */
export class QueueUnderflow extends TorsionError {
  static override readonly defaultMessage: string = "Too many waiting gets on the queue.";
}

/** Several operations all failed (`race` when every Deferred fails); `failures` in order. */
export class FailureGroup extends TorsionError {
  readonly failures: readonly unknown[];
  constructor(failures: readonly unknown[]) {
    super(`All ${failures.length} operations failed`);
    this.failures = failures;
  }
}

// --- Reactor ----------------------------------------------------------------------------

/** `reactor.stop()` was called when the reactor was not running. */
export class ReactorNotRunning extends TorsionError {
  static override readonly defaultMessage: string = "Can't stop reactor that isn't running.";
}

/** `reactor.run()` was called on a reactor that is already running. */
export class ReactorAlreadyRunning extends TorsionError {
  static override readonly defaultMessage: string = "Reactor is already running.";
}

/** A reactor that has stopped cannot be run again. */
export class ReactorNotRestartable extends TorsionError {
  static override readonly defaultMessage: string = "Reactor isn't restartable.";
}

/** `cancel()`/`reset()`/`delay()` on an `IDelayedCall` that already ran. */
export class AlreadyCalled extends TorsionError {
  static override readonly defaultMessage: string = "Tried to cancel an already-called event.";
}

/** `cancel()`/`reset()`/`delay()` on an `IDelayedCall` that was already cancelled. */
export class AlreadyCancelled extends TorsionError {
  static override readonly defaultMessage: string = "Tried to cancel an already-cancelled event.";
}

/** A `Cooperator` or one of its tasks was in a state that does not allow the operation. */
export class SchedulerError extends TorsionError {}

/** The `Cooperator` was stopped (its tasks' `whenDone()` Deferreds fail with this). */
export class SchedulerStopped extends SchedulerError {}

/** The cooperative task has finished (completed, stopped or failed): it cannot be paused or stopped. */
export class TaskFinished extends SchedulerError {}

/** The cooperative task's iterator is exhausted. */
export class TaskDone extends TaskFinished {}

/** The cooperative task was stopped (its `whenDone()` Deferreds fail with this). */
export class TaskStopped extends TaskFinished {}

/** The cooperative task's iterator threw. */
export class TaskFailed extends TaskFinished {}

/** `resume()` on a cooperative task that was not paused. */
export class NotPaused extends SchedulerError {}

// --- Connections ------------------------------------------------------------------------

/** Base of the errors that end a connection. */
export class ConnectionClosed extends TorsionError {}

/** The connection was closed cleanly. */
export class ConnectionDone extends ConnectionClosed {
  static override readonly defaultMessage: string = "Connection was closed cleanly.";
}

/** The connection was lost in a non-clean fashion. */
export class ConnectionLost extends ConnectionClosed {
  static override readonly defaultMessage: string =
    "Connection to the other side was lost in a non-clean fashion.";
}

/** The connection was aborted locally (`abortConnection`). */
export class ConnectionAborted extends ConnectionLost {
  static override readonly defaultMessage: string = "Connection was aborted locally.";
}

/** A method that needs a connection was called before there was one. */
export class NotConnectingError extends TorsionError {}

/** The transport is not connected (yet, or any more). */
export class NotConnectedError extends TorsionError {
  static override readonly defaultMessage: string = "Not connected.";
}

/** A port could not be opened (address in use, permission denied, bad address). */
export class CannotListenError extends TorsionError {
  readonly interface: string;
  readonly port: number | string;
  constructor(iface: string, port: number | string, reason: string, options?: ErrorOptions) {
    const where = iface.includes(":")
      ? `[${iface}]:${port}`
      : iface
        ? `${iface}:${port}`
        : `${port}`;
    super(`Couldn't listen on ${where}: ${reason}`, options);
    this.interface = iface;
    this.port = port;
  }
}

/** A connection attempt failed; subclasses say why. */
export class ConnectError extends TorsionError {
  static override readonly defaultMessage: string = "An error occurred while connecting.";
}

/** The other side refused the connection (ECONNREFUSED). */
export class ConnectionRefusedError extends ConnectError {
  static override readonly defaultMessage: string = "Connection was refused by other side.";
}

/** The connection attempt timed out at the TCP level (ETIMEDOUT). */
export class TCPTimedOutError extends ConnectError {
  static override readonly defaultMessage: string = "TCP connection timed out.";
}

/** The host name could not be resolved (ENOTFOUND, EAI_AGAIN). */
export class DNSLookupError extends ConnectError {
  static override readonly defaultMessage: string = "DNS lookup failed.";
}

/** No route to the host (EHOSTUNREACH, ENETUNREACH). */
export class NoRouteError extends ConnectError {
  static override readonly defaultMessage: string = "No route to host.";
}

/** A bind address could not be used (EADDRINUSE/EADDRNOTAVAIL on connect). */
export class ConnectBindError extends ConnectError {
  static override readonly defaultMessage: string = "Couldn't bind.";
}

/** The connection attempt was cancelled by the user (`stopConnecting`, a cancelled Deferred). */
export class UserError extends ConnectError {
  static override readonly defaultMessage: string = "User aborted connection.";
}

/** The connection attempt was cancelled (`connector.stopConnecting()` or `d.cancel()`). */
export class ConnectingCancelledError extends TorsionError {
  readonly address: unknown;
  constructor(address?: unknown, options?: ErrorOptions) {
    super("Connection attempt was cancelled.", options);
    this.address = address;
  }
}

/** The peer's TLS certificate or host name did not verify. */
export class CertificateError extends ConnectError {}

/** An endpoint description string could not be parsed or names an unknown type. */
export class EndpointDescriptionError extends TorsionError {}

/** A factory's `buildProtocol` returned `null`, refusing a connection an endpoint made. */
export class NoProtocol extends TorsionError {
  static override readonly defaultMessage: string =
    "Factory refused to build a protocol for the connection.";
}

/** An endpoint that can listen only once (an adopted file descriptor) was asked to listen again. */
export class AlreadyListened extends TorsionError {
  static override readonly defaultMessage: string =
    "This endpoint has already been used to listen.";
}

// --- Logger -----------------------------------------------------------------------------

/** A name or value that is not one of the log levels (`debug` … `critical`). */
export class InvalidLogLevelError extends TorsionError {
  /** The rejected level. */
  readonly level: unknown;
  constructor(level: unknown) {
    let text: string;
    try {
      text = typeof level === "string" ? JSON.stringify(level) : String(level);
    } catch {
      text = Object.prototype.toString.call(level);
    }
    super(`Invalid log level: ${text}`);
    this.level = level;
  }
}

// --- how a connection ended (see describeConnectionLoss) -----------------------------------

/**
 * The connection was closed because it was idle too long (`TimeoutMixin`, `TimeoutFactory`).
 * A `ConnectionDone`, as in Twisted (the close itself is clean), so code that checks for a
 * clean close is unaffected.
 */
export class ConnectionTimedOut extends ConnectionDone {
  static override readonly defaultMessage: string = "Connection was closed after timing out.";
}

/**
 * The connection was closed by the reactor's shutdown while it still had unsent data, which
 * was dropped. A `ConnectionDone`, as Twisted reports a shutdown close.
 */
export class UnsentDataDropped extends ConnectionDone {
  /** How many bytes were dropped. */
  readonly unsent: number;

  constructor(unsent: number) {
    super(`Connection closed at shutdown; ${unsent} bytes of unsent data dropped.`);
    this.unsent = unsent;
  }
}

/**
 * A connection was aborted because it had more unsent data than its ceiling
 * (`flowControl.maxUnsent`): the protocol kept writing to a peer that did not read.
 */
export class UnsentDataLimitExceeded extends ConnectionAborted {
  /** Bytes that were queued when the ceiling was hit. */
  readonly unsent: number;
  /** The ceiling. */
  readonly limit: number;

  constructor(unsent: number, limit: number) {
    super(
      `Connection aborted: ${unsent} bytes of unsent data exceed the limit of ${limit} (maxUnsent)`,
    );
    this.unsent = unsent;
    this.limit = limit;
  }
}
