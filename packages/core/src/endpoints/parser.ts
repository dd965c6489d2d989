/**
 * The contract of an endpoint type's parser: what `serverFromString`/`clientFromString` call
 * with the parts of a description. Types only, so that the built-in parsers, the registry and
 * the description functions can all name it without importing one another.
 *
 * @module
 */
import type {
  IReactorSSL,
  IReactorTCP,
  IReactorUNIX,
  IStreamClientEndpoint,
  IStreamServerEndpoint,
} from "../interfaces.ts";

/**
 * `serverFromString` and `clientFromString`, handed to every parser, for types that wrap
 * another endpoint given as a (quoted) description of its own.
 */
export interface NestedDescriptions {
  /** Make a server endpoint from a description, as `serverFromString` does. */
  serverFromString(reactor: EndpointReactor, description: string): IStreamServerEndpoint;
  /** Make a client endpoint from a description, as `clientFromString` does. */
  clientFromString(reactor: EndpointReactor, description: string): IStreamClientEndpoint;
}

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
 *   (`"invalid port 'abc'"`, `"unknown key 'bogus'"`); `serverFromString` rethrows it as
 *   an `EndpointDescriptionError` that also quotes the whole description;
 * - do no I/O and start nothing: return an endpoint whose `listen` does the work (read key
 *   files, bind sockets) and reports failure through its Deferred.
 *
 * A wrapping type (`tls:...:endpoint=<description>`) parses its inner description with
 * `nested`, which is `serverFromString`/`clientFromString` handed in, so that a parser module
 * never imports the module that calls it.
 */
export type ServerEndpointParser = (
  reactor: EndpointReactor,
  args: readonly string[],
  kwargs: EndpointKeywords,
  nested: NestedDescriptions,
) => IStreamServerEndpoint;

/** Makes a client endpoint from the parts of a description; the same contract as {@link ServerEndpointParser}. */
export type ClientEndpointParser = (
  reactor: EndpointReactor,
  args: readonly string[],
  kwargs: EndpointKeywords,
  nested: NestedDescriptions,
) => IStreamClientEndpoint;
