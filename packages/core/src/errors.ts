/**
 * Error classes with Twisted's names, on one {@link TorsionError} base.
 *
 * Callers branch with `failure.check(ConnectionRefusedError)`; where an error came from
 * Node, the original system error is kept as `cause` (so `err.cause.code` is `'ECONNREFUSED'`).
 *
 * @module
 */

/** Base class of every error Torsion raises. `name` is the subclass's name. */
export class TorsionError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

// --- Deferred -------------------------------------------------------------------------

/** A Deferred was fired (`callback`/`errback`) more than once. */
export class AlreadyCalledError extends TorsionError {}

/** A Deferred was cancelled before it had a result. */
export class CancelledError extends TorsionError {
  constructor(message = "Deferred was cancelled", options?: ErrorOptions) {
    super(message, options);
  }
}

/** An operation (a Deferred's `addTimeout`, a connection attempt) ran out of time. */
export class TimeoutError extends TorsionError {
  constructor(message = "User timeout caused connection failure.", options?: ErrorOptions) {
    super(message, options);
  }
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
  constructor(message = "The queue is full.", options?: ErrorOptions) {
    super(message, options);
  }
}

/** `DeferredQueue.get` when `backlog` gets are already waiting. */
export class QueueUnderflow extends TorsionError {
  constructor(message = "Too many waiting gets on the queue.", options?: ErrorOptions) {
    super(message, options);
  }
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
  constructor(message = "Can't stop reactor that isn't running.", options?: ErrorOptions) {
    super(message, options);
  }
}

/** `reactor.run()` was called on a reactor that is already running. */
export class ReactorAlreadyRunning extends TorsionError {
  constructor(message = "Reactor is already running.", options?: ErrorOptions) {
    super(message, options);
  }
}

/** A reactor that has stopped cannot be run again. */
export class ReactorNotRestartable extends TorsionError {
  constructor(message = "Reactor isn't restartable.", options?: ErrorOptions) {
    super(message, options);
  }
}

/** `cancel()`/`reset()`/`delay()` on a {@link IDelayedCall} that already ran. */
export class AlreadyCalled extends TorsionError {
  constructor(message = "Tried to cancel an already-called event.", options?: ErrorOptions) {
    super(message, options);
  }
}

/** `cancel()`/`reset()`/`delay()` on a {@link IDelayedCall} that was already cancelled. */
export class AlreadyCancelled extends TorsionError {
  constructor(message = "Tried to cancel an already-cancelled event.", options?: ErrorOptions) {
    super(message, options);
  }
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
  constructor(message = "Connection was closed cleanly.", options?: ErrorOptions) {
    super(message, options);
  }
}

/** The connection was lost in a non-clean fashion. */
export class ConnectionLost extends ConnectionClosed {
  constructor(
    message = "Connection to the other side was lost in a non-clean fashion.",
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The connection was aborted locally (`abortConnection`). */
export class ConnectionAborted extends ConnectionLost {
  constructor(message = "Connection was aborted locally.", options?: ErrorOptions) {
    super(message, options);
  }
}

/** A method that needs a connection was called before there was one. */
export class NotConnectingError extends TorsionError {}

/** The transport is not connected (yet, or any more). */
export class NotConnectedError extends TorsionError {
  constructor(message = "Not connected.", options?: ErrorOptions) {
    super(message, options);
  }
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
  constructor(message = "An error occurred while connecting.", options?: ErrorOptions) {
    super(message, options);
  }
}

/** The other side refused the connection (ECONNREFUSED). */
export class ConnectionRefusedError extends ConnectError {
  constructor(message = "Connection was refused by other side.", options?: ErrorOptions) {
    super(message, options);
  }
}

/** The connection attempt timed out at the TCP level (ETIMEDOUT). */
export class TCPTimedOutError extends ConnectError {
  constructor(message = "TCP connection timed out.", options?: ErrorOptions) {
    super(message, options);
  }
}

/** The host name could not be resolved (ENOTFOUND, EAI_AGAIN). */
export class DNSLookupError extends ConnectError {
  constructor(message = "DNS lookup failed.", options?: ErrorOptions) {
    super(message, options);
  }
}

/** No route to the host (EHOSTUNREACH, ENETUNREACH). */
export class NoRouteError extends ConnectError {
  constructor(message = "No route to host.", options?: ErrorOptions) {
    super(message, options);
  }
}

/** A bind address could not be used (EADDRINUSE/EADDRNOTAVAIL on connect). */
export class ConnectBindError extends ConnectError {
  constructor(message = "Couldn't bind.", options?: ErrorOptions) {
    super(message, options);
  }
}

/** The connection attempt was cancelled by the user (`stopConnecting`, a cancelled Deferred). */
export class UserError extends ConnectError {
  constructor(message = "User aborted connection.", options?: ErrorOptions) {
    super(message, options);
  }
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
  constructor(
    message = "Factory refused to build a protocol for the connection.",
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** An endpoint that can listen only once (an adopted file descriptor) was asked to listen again. */
export class AlreadyListened extends TorsionError {
  constructor(message = "This endpoint has already been used to listen.", options?: ErrorOptions) {
    super(message, options);
  }
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

// --- Processes (used by @torsion/process) ------------------------------------------------

/** A process exited with code 0. */
export class ProcessDone extends ConnectionDone {
  readonly exitCode = 0;
  readonly signal: null = null;
  readonly status: number;
  constructor(status = 0) {
    super("A process has ended without apparent errors: process finished with exit code 0.");
    this.status = status;
  }
}

/** A process exited with a non-zero code or was killed by a signal. */
export class ProcessTerminated extends ConnectionLost {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  constructor(exitCode: number | null, signal: NodeJS.Signals | null) {
    const parts: string[] = [];
    if (exitCode !== null) parts.push(`exit code ${exitCode}`);
    if (signal) parts.push(`by signal ${signal}`);
    super(
      `A process has ended with a probable error condition: process ended${parts.length ? ` with ${parts.join(" ")}` : ""}.`,
    );
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

/** The process has already exited (`signalProcess` after exit). */
export class ProcessExitedAlready extends TorsionError {
  constructor(message = "The process has already exited.", options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * The executable could not be started at all (it does not exist, is not executable, or the
 * working directory is missing). A {@link ProcessTerminated} whose `exitCode` follows the
 * shell's convention (127: not found, 126: found but not runnable); Node's error is `cause`.
 */
export class ProcessSpawnError extends ProcessTerminated {
  readonly executable: string;
  constructor(executable: string, cause: NodeJS.ErrnoException) {
    super(cause.code === "ENOENT" ? 127 : 126, null);
    this.executable = executable;
    this.cause = cause;
    this.message = `Could not start ${JSON.stringify(executable)}: ${cause.message}`;
  }
}

/**
 * `getProcessOutput` (without `errortoo`) received data on the child's stderr. `output` is
 * that first chunk; `processEnded` fires with the {@link ProcessDone} or
 * {@link ProcessTerminated} that ended the process, once it has ended.
 */
export class UnexpectedErrorOutput extends TorsionError {
  readonly output: Buffer;
  readonly processEnded: PromiseLike<ProcessDone | ProcessTerminated>;
  constructor(output: Buffer, processEnded: PromiseLike<ProcessDone | ProcessTerminated>) {
    super(
      `got stderr: ${JSON.stringify(output.toString("utf8", 0, Math.min(output.length, 200)))}`,
    );
    this.output = output;
    this.processEnded = processEnded;
  }
}

/**
 * `getProcessOutputAndValue`: the process was killed by a signal. A {@link ProcessTerminated}
 * that also carries what the process wrote before it died (`out`, `err`).
 */
export class ProcessKilled extends ProcessTerminated {
  readonly out: Buffer;
  readonly err: Buffer;
  constructor(signal: NodeJS.Signals, out: Buffer, err: Buffer) {
    super(null, signal);
    this.out = out;
    this.err = err;
  }
}

// --- Mapping Node system errors --------------------------------------------------------------

type ConnectErrorClass = new (message?: string, options?: ErrorOptions) => ConnectError;

const connectErrorsByCode: Record<string, ConnectErrorClass> = {
  ECONNREFUSED: ConnectionRefusedError,
  ETIMEDOUT: TCPTimedOutError,
  ENOTFOUND: DNSLookupError,
  EAI_AGAIN: DNSLookupError,
  EAI_NONAME: DNSLookupError,
  EHOSTUNREACH: NoRouteError,
  ENETUNREACH: NoRouteError,
  EADDRINUSE: ConnectBindError,
  EADDRNOTAVAIL: ConnectBindError,
  CERT_HAS_EXPIRED: CertificateError,
  DEPTH_ZERO_SELF_SIGNED_CERT: CertificateError,
  SELF_SIGNED_CERT_IN_CHAIN: CertificateError,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: CertificateError,
  ERR_TLS_CERT_ALTNAME_INVALID: CertificateError,
};

/**
 * Map a Node system error from a connection attempt to the Twisted-named class
 * (`ECONNREFUSED` → {@link ConnectionRefusedError}, `ETIMEDOUT` → {@link TCPTimedOutError},
 * `ENOTFOUND` → {@link DNSLookupError}, …). The original stays in `cause`.
 */
export function fromSystemError(err: NodeJS.ErrnoException): ConnectError {
  const Klass = connectErrorsByCode[err.code ?? ""] ?? ConnectError;
  return new Klass(err.message, { cause: err });
}

const listenReasons: Record<string, string> = {
  EADDRINUSE: "Address already in use",
  EACCES: "Permission denied",
  EADDRNOTAVAIL: "Cannot assign requested address",
  EINVAL: "Invalid argument",
};

/** Build a {@link CannotListenError} from a Node `listen` error, with a reason a person can act on. */
export function cannotListen(
  iface: string,
  port: number | string,
  err: NodeJS.ErrnoException,
): CannotListenError {
  const reason = listenReasons[err.code ?? ""] ?? err.message;
  return new CannotListenError(iface, port, reason, { cause: err });
}
