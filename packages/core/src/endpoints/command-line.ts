/**
 * A client endpoint from a command-line argument: `clientFromArgument`, for client commands
 * that take `HOST:PORT` the way people type it and still accept any endpoint description.
 *
 * @module
 */
import { EndpointDescriptionError } from "../errors.ts";
import type { IStreamClientEndpoint } from "../interfaces.ts";
import { clientFromString } from "./parse.ts";
import { quoteStringArgument } from "./quote.ts";
import type { EndpointReactor } from "./registry.ts";

/** `HOST:PORT` or `[IPv6]:PORT`: a host without colons or brackets (or any host in brackets). */
const HOST_PORT = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/;

/**
 * Make a client endpoint from a command-line argument that is either
 *
 * - `HOST:PORT`, or `[IPv6]:PORT` for an IPv6 address (`example.com:17`, `[::1]:17`): a TCP
 *   endpoint, as `clientFromString(reactor, "tcp:HOST:PORT")` with the host quoted, so with
 *   its defaults (a 30-second connect timeout); or
 * - any client endpoint description with at least one `key=value` argument
 *   (`tcp:host=example.com:port=17:timeout=5`, `unix:path=/run/qotd`), as
 *   {@link clientFromString} makes it.
 *
 * Nothing is connected until `connect`.
 *
 * ```ts
 * const endpoint = clientFromArgument(reactor, process.argv[2] ?? "127.0.0.1:8013");
 * ```
 *
 * @throws EndpointDescriptionError naming the argument when it is neither
 *   (`Not HOST:PORT or a client endpoint: "nonsense"`; a positional description such as
 *   `tcp:example.com:17` is refused too, as it reads like a mistyped `HOST:PORT`), or as
 *   {@link clientFromString} throws for a description or port it cannot use
 *   (`example.com:99999`).
 */
export function clientFromArgument(
  reactor: EndpointReactor,
  argument: string,
): IStreamClientEndpoint {
  const m = HOST_PORT.exec(argument);
  // HOST:PORT is the positional `tcp:HOST:PORT` description, the host quoted for IPv6's colons.
  if (m !== null)
    return clientFromString(reactor, `tcp:${quoteStringArgument((m[1] ?? m[2])!)}:${m[3]}`);
  if (/^[a-z0-9]+:/i.test(argument) && argument.includes("="))
    return clientFromString(reactor, argument);
  throw new EndpointDescriptionError(
    `Not HOST:PORT or a client endpoint: ${JSON.stringify(argument)}`,
  );
}
