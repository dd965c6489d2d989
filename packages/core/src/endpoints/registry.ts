/**
 * The endpoint types known to {@link serverFromString} and {@link clientFromString}, and the
 * way other packages add their own (Twisted's `IStreamServerEndpointStringParser` and
 * `IStreamClientEndpointStringParserWithReactor` plugins).
 *
 * @module
 */
import { EndpointDescriptionError } from "../errors.ts";
import type {
  IReactorSSL,
  IReactorTCP,
  IReactorUNIX,
  IStreamClientEndpoint,
  IStreamServerEndpoint,
} from "../interfaces.ts";
import { builtinClientParsers, builtinServerParsers } from "./parsers.ts";

/**
 * The reactor that descriptions are parsed for. Parsers of other types may need more of it
 * (check at run time and throw a clear error if it lacks what they need).
 */
export type EndpointReactor = IReactorTCP & IReactorUNIX & IReactorSSL;

/** The keyword arguments of a description: `key=value` pairs, unescaped. */
export type EndpointKeywords = Readonly<Record<string, string>>;

/**
 * Makes a server endpoint from the parts of a description (Twisted's
 * `IStreamServerEndpointStringParser.parseStreamServer(reactor, *args, **kwargs)`).
 *
 * For `"mytype:a:b:key=value"` it is called with `reactor`, `args` `["a", "b"]` and `kwargs`
 * `{ key: "value" }`: everything after the type, split on unescaped colons, backslash escapes
 * removed, with no conversion (every value is a string). It should:
 *
 * - check every argument and throw an `Error` whose message names the bad part
 *   (`"invalid port 'abc'"`, `"unknown key 'bogus'"`); {@link serverFromString} rethrows it as
 *   an `EndpointDescriptionError` that also quotes the whole description;
 * - do no I/O and start nothing: return an endpoint whose `listen` does the work (read key
 *   files, bind sockets) and reports failure through its Deferred.
 */
export type ServerEndpointParser = (
  reactor: EndpointReactor,
  args: readonly string[],
  kwargs: EndpointKeywords,
) => IStreamServerEndpoint;

/** Makes a client endpoint from the parts of a description; the same contract as {@link ServerEndpointParser}. */
export type ClientEndpointParser = (
  reactor: EndpointReactor,
  args: readonly string[],
  kwargs: EndpointKeywords,
) => IStreamClientEndpoint;

// Filled on first use rather than at module load, so that the import cycle
// parsers.ts → parse.ts → registry.ts → parsers.ts cannot see the built-ins uninitialised.
let serverRegistry: Map<string, ServerEndpointParser> | undefined;
let clientRegistry: Map<string, ClientEndpointParser> | undefined;

function servers(): Map<string, ServerEndpointParser> {
  serverRegistry ??= new Map(Object.entries(builtinServerParsers));
  return serverRegistry;
}

function clients(): Map<string, ClientEndpointParser> {
  clientRegistry ??= new Map(Object.entries(builtinClientParsers));
  return clientRegistry;
}

function register<P>(registry: Map<string, P>, role: string, name: string, parser: P): () => void {
  const key = name.toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*$/.test(key)) {
    throw new EndpointDescriptionError(
      `Invalid ${role} endpoint type name: '${name}' (letters, digits, '+', '.', '-')`,
    );
  }
  if (registry.has(key))
    throw new EndpointDescriptionError(`A ${role} endpoint type '${key}' is already registered`);
  registry.set(key, parser);
  return () => {
    if (registry.get(key) === parser) registry.delete(key);
  };
}

/**
 * Add a server endpoint type: after this, `serverFromString(reactor, "name:...")` calls
 * `parser`. Names are case-insensitive. Throws `EndpointDescriptionError` if the name is taken
 * (built-in: `tcp`, `tcp6`, `unix`, `ssl`, `systemd`). Returns a function that removes it.
 *
 * ```ts
 * registerServerEndpointParser("echo-port", (reactor, args) => new TCP4ServerEndpoint(reactor, 7));
 * ```
 */
export function registerServerEndpointParser(
  name: string,
  parser: ServerEndpointParser,
): () => void {
  return register(servers(), "server", name, parser);
}

/**
 * Add a client endpoint type for `clientFromString` (built-in: `tcp`, `unix`, `ssl`, `tls`).
 * Same rules as {@link registerServerEndpointParser}. Returns a function that removes it.
 */
export function registerClientEndpointParser(
  name: string,
  parser: ClientEndpointParser,
): () => void {
  return register(clients(), "client", name, parser);
}

/** The parser for a server endpoint type, if any. */
export function serverEndpointParser(name: string): ServerEndpointParser | undefined {
  return servers().get(name.toLowerCase());
}

/** The parser for a client endpoint type, if any. */
export function clientEndpointParser(name: string): ClientEndpointParser | undefined {
  return clients().get(name.toLowerCase());
}
