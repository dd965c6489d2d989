/**
 * The endpoint types known to {@link serverFromString} and {@link clientFromString}, and the
 * way other packages add their own (Twisted's `IStreamServerEndpointStringParser` and
 * `IStreamClientEndpointStringParserWithReactor` plugins).
 *
 * @module
 */
import { EndpointDescriptionError } from "../errors.ts";
import type { ClientEndpointParser, ServerEndpointParser } from "./parser.ts";
import { builtinClientParsers, builtinServerParsers } from "./parsers.ts";

export type {
  ClientEndpointParser,
  EndpointKeywords,
  EndpointReactor,
  NestedDescriptions,
  ServerEndpointParser,
} from "./parser.ts";

const serverRegistry = new Map<string, ServerEndpointParser>(Object.entries(builtinServerParsers));
const clientRegistry = new Map<string, ClientEndpointParser>(Object.entries(builtinClientParsers));

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
  return register(serverRegistry, "server", name, parser);
}

/**
 * Add a client endpoint type for `clientFromString` (built-in: `tcp`, `unix`, `ssl`, `tls`).
 * Same rules as {@link registerServerEndpointParser}. Returns a function that removes it.
 */
export function registerClientEndpointParser(
  name: string,
  parser: ClientEndpointParser,
): () => void {
  return register(clientRegistry, "client", name, parser);
}

/** The parser for a server endpoint type, if any. */
export function serverEndpointParser(name: string): ServerEndpointParser | undefined {
  return serverRegistry.get(name.toLowerCase());
}

/** The parser for a client endpoint type, if any. */
export function clientEndpointParser(name: string): ClientEndpointParser | undefined {
  return clientRegistry.get(name.toLowerCase());
}
