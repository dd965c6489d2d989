/**
 * One request over a fresh connection: connect a protocol, wait for its result, give up after
 * a timeout. Shared by the clients of this package; not exported.
 *
 * @module
 */
import {
  connectProtocol,
  type Deferred,
  Deferred as DeferredClass,
  type Failure,
  type IProtocol,
  type IReactorTime,
  type IStreamClientEndpoint,
  type ITCPTransport,
  reactor,
} from "@torsion/core";

/** Options shared by this package's request helpers. */
export interface RequestOptions {
  /** Seconds to wait for the whole exchange (connecting included); default 30. */
  timeout?: number;
  /** The clock that measures {@link RequestOptions.timeout}; default the reactor. */
  clock?: IReactorTime;
}

/** A client protocol whose `deferred` fires with the exchange's result. */
export interface ResultProtocol<T> extends IProtocol {
  readonly deferred: Deferred<T>;
  readonly hasTransport: boolean;
  readonly transport: { loseConnection(): void };
}

/**
 * Connect `protocol` through `endpoint` and fire with its `deferred`'s result. Cancelling the
 * returned Deferred (or the timeout) stops the attempt or aborts the connection; a timeout
 * fails it with `TimeoutError`. Never throws.
 */
export function request<T>(
  endpoint: IStreamClientEndpoint,
  protocol: ResultProtocol<T>,
  options: RequestOptions = {},
): Deferred<T> {
  let cancelled = false;
  let connecting: Deferred<unknown> | undefined;
  const d = new DeferredClass<T>(() => {
    // Leave `d` unfired: Deferred then fails it with CancelledError, which addTimeout turns
    // into TimeoutError. Whatever the attempt reports afterwards is dropped.
    cancelled = true;
    connecting?.cancel();
    if (protocol.hasTransport) {
      const t = protocol.transport as Partial<ITCPTransport> & { loseConnection(): void };
      if (typeof t.abortConnection === "function") t.abortConnection();
      else t.loseConnection();
    }
  });
  const settle = (result: T | Failure, ok: boolean): void => {
    if (cancelled) return;
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
