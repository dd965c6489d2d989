/**
 * The `haproxy:` server endpoint wrapper (Twisted's `HAProxyServerParser` and
 * `proxyEndpoint`): `haproxy:tcp:8007:interface=127.0.0.1`, `haproxy:unix:/run/echo.sock`, or
 * `haproxy:` before any other server endpoint description.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import { toSeconds } from "../endpoints/arguments.ts";
import { quoteStringArgument, serverFromString } from "../endpoints/parse.ts";
import type { EndpointKeywords, EndpointReactor } from "../endpoints/registry.ts";
import type {
  IListeningPort,
  IProtocolFactory,
  IReactorTime,
  IStreamServerEndpoint,
} from "../interfaces.ts";
import { HAProxyWrappingFactory, type HAProxyWrappingFactoryOptions } from "./wrapper.ts";

/**
 * A server endpoint whose connections must start with a PROXY protocol header: it listens on
 * `wrapped` with the factory wrapped in {@link HAProxyWrappingFactory}.
 */
export class HAProxyServerEndpoint implements IStreamServerEndpoint {
  /** The endpoint that does the listening. */
  readonly wrapped: IStreamServerEndpoint;
  readonly #options: HAProxyWrappingFactoryOptions;

  constructor(wrapped: IStreamServerEndpoint, options: HAProxyWrappingFactoryOptions) {
    this.wrapped = wrapped;
    this.#options = options;
  }

  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return this.wrapped.listen(new HAProxyWrappingFactory(factory, this.#options));
  }
}

function isReactorTime(reactor: unknown): reactor is IReactorTime {
  const r = reactor as Partial<IReactorTime>;
  return typeof r.callLater === "function" && typeof r.seconds === "function";
}

/**
 * The `haproxy:` description parser. Everything after `haproxy:` is the wrapped endpoint's
 * description; the keyword `headerTimeout` (seconds, default 10, `0` for none) is taken for the
 * wrapper itself, so `haproxy:tcp:8007:interface=127.0.0.1:headerTimeout=3` works.
 */
export function haproxyServerParser(
  reactor: EndpointReactor,
  args: readonly string[],
  kwargs: EndpointKeywords,
): IStreamServerEndpoint {
  if (args.length === 0 || args[0] === "")
    throw new Error("haproxy: needs a wrapped endpoint, as haproxy:tcp:8007");
  if (!isReactorTime(reactor)) throw new Error("haproxy: needs a reactor with callLater()");
  const { headerTimeout, ...rest } = kwargs;
  // Twisted's unparseEndpoint: quote the parts again so the wrapped parser sees them as written.
  const description = [
    ...args.map(quoteStringArgument),
    ...Object.entries(rest).map(([k, v]) => `${quoteStringArgument(k)}=${quoteStringArgument(v)}`),
  ].join(":");
  const options: HAProxyWrappingFactoryOptions = { clock: reactor };
  if (headerTimeout !== undefined)
    options.headerTimeout = toSeconds("headerTimeout", headerTimeout);
  return new HAProxyServerEndpoint(serverFromString(reactor, description), options);
}
