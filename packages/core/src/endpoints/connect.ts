/**
 * `connectProtocol`: connect one protocol instance through a client endpoint, without
 * writing a factory (Twisted's `connectProtocol`); `requestProtocol`: the same for a protocol
 * that computes one result, with cancellation and a timeout.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../failure.ts";
import type {
  IProtocol,
  IReactorTime,
  IStreamClientEndpoint,
  ITCPTransport,
  ITransport,
} from "../interfaces.ts";
import { Factory } from "../protocol/factory.ts";
import { reactor } from "../reactor/default.ts";
import { attempt } from "./attempt.ts";

/** A factory that hands out one given protocol. */
class OneShotFactory extends Factory {
  readonly #protocol: IProtocol;

  constructor(protocol: IProtocol) {
    super();
    this.noisy = false;
    this.#protocol = protocol;
  }

  override buildProtocol(): IProtocol {
    return this.#protocol;
  }
}

/**
 * Connect `protocol` to `endpoint`.
 *
 * ```ts
 * const client = await connectProtocol(new TCP4ClientEndpoint(reactor, "127.0.0.1", 8000), new Greeter());
 * ```
 *
 * @returns A Deferred that fires with `protocol` once it is connected (its `connectionMade`
 *   ran), or fails as the endpoint's `connect` does (`ConnectionRefusedError`, `TimeoutError`,
 *   `ConnectingCancelledError` when cancelled, …). Never throws.
 */
export function connectProtocol<P extends IProtocol>(
  endpoint: IStreamClientEndpoint,
  protocol: P,
): Deferred<P> {
  return attempt(() => endpoint.connect(new OneShotFactory(protocol)) as Deferred<P>);
}

/**
 * A client protocol that computes one result and fires {@link IResultProtocol.deferred} with
 * it (as `Protocol` subclasses do: `hasTransport` and `transport` are `Protocol`'s), for
 * {@link requestProtocol}.
 */
export interface IResultProtocol<T> extends IProtocol {
  /** Fires with the exchange's result, or fails with why there is none. */
  readonly deferred: Deferred<T>;
  /** `true` once connected; {@link IResultProtocol.transport} may be read only then. */
  readonly hasTransport: boolean;
  /** The connection, aborted by {@link requestProtocol} on cancellation or timeout. */
  readonly transport: ITransport;
}

/** Options of {@link requestProtocol}. */
export interface RequestOptions {
  /** Seconds to wait for the whole exchange (connecting included); default 30. */
  timeout?: number;
  /** The clock that measures {@link RequestOptions.timeout}; default the reactor. */
  clock?: IReactorTime;
}

/**
 * One request over a fresh connection: connect `protocol` through `endpoint` and fire with
 * the result of its `deferred`, giving up after `options.timeout` seconds.
 *
 * ```ts
 * const echoed = await requestProtocol(clientFromString(reactor, "tcp:127.0.0.1:7"), new EchoClient("hi"));
 * ```
 *
 * Cancelling the returned Deferred (which is what the timeout does) stops the connection
 * attempt, or aborts the connection (`abortConnection`, else `loseConnection`) once it is up;
 * whatever the attempt or the protocol reports afterwards is dropped.
 *
 * @returns A Deferred that fires with `protocol.deferred`'s result, or fails with its failure,
 *   with the endpoint's connection error (`ConnectionRefusedError`, `DNSLookupError`, …),
 *   with `TimeoutError` after `options.timeout` seconds, or with `CancelledError` when
 *   cancelled. Never throws.
 */
export function requestProtocol<T>(
  endpoint: IStreamClientEndpoint,
  protocol: IResultProtocol<T>,
  options: RequestOptions = {},
): Deferred<T> {
  let cancelled = false;
  let connecting: Deferred<unknown> | undefined;
  const d = new Deferred<T>(() => {
    // Leave `d` unfired: Deferred then fails it with CancelledError, which addTimeout turns
    // into TimeoutError. Whatever the attempt reports afterwards is dropped.
    cancelled = true;
    connecting?.cancel();
    if (protocol.hasTransport) {
      const t = protocol.transport as Partial<ITCPTransport> & ITransport;
      if (typeof t.abortConnection === "function") t.abortConnection();
      else t.loseConnection();
    }
  });
  // The first report wins: a protocol that fires before its connection attempt fails (or
  // twice) must not make `d` throw AlreadyCalledError inside someone else's callback.
  const settle = (result: T | Failure, ok: boolean): void => {
    if (cancelled || d.called) return;
    if (ok) d.callback(result as T);
    else d.errback(result);
  };
  connecting = connectProtocol(endpoint, protocol).addCallbacks(
    () => {
      connecting = undefined;
    },
    (f: Failure) => {
      connecting = undefined;
      settle(f, false);
    },
  );
  protocol.deferred.addCallbacks(
    (r: T) => settle(r, true),
    (f: Failure) => settle(f, false),
  );
  return d.addTimeout(options.timeout ?? 30, options.clock ?? reactor);
}
