/**
 * `connectProtocol`: connect one protocol instance through a client endpoint, without
 * writing a factory (Twisted's `connectProtocol`).
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import type { IProtocol, IStreamClientEndpoint } from "../interfaces.ts";
import { Factory } from "../protocol/factory.ts";
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
