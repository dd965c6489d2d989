/**
 * Endpoint description strings (Twisted's "strports" mini-language): `serverFromString`,
 * `clientFromString` and `quoteStringArgument`.
 *
 * A description is a type, then colon-separated arguments, each either positional (`8007`) or
 * `key=value`. A backslash makes the next character literal (`C\:/key.pem`, `a\=b`). Only the
 * first unescaped `=` of an argument separates key from value, so `key=a=b` has the value
 * `a=b`.
 *
 * @module
 */
import { EndpointDescriptionError } from "../errors.ts";
import type { IStreamClientEndpoint, IStreamServerEndpoint } from "../interfaces.ts";
import { clientEndpointParser, type EndpointReactor, serverEndpointParser } from "./registry.ts";

/** A description split into its type, positional arguments and keyword arguments. */
export interface ParsedDescription {
  /** The endpoint type, as written (`"tcp"`). */
  type: string;
  /** Positional arguments after the type, unescaped. */
  args: string[];
  /** `key=value` arguments, unescaped (a prototype-less object). */
  kwargs: Record<string, string>;
}

/**
 * Split `description` into type, positional and keyword arguments, removing backslash escapes
 * (Twisted's `_parse`). Throws `EndpointDescriptionError` for a trailing backslash, a key given
 * twice, or a description that does not start with a type.
 */
export function parseDescription(description: string): ParsedDescription {
  const args: string[] = [];
  const kwargs: Record<string, string> = Object.create(null);
  const bad = (why: string) =>
    new EndpointDescriptionError(`${why} in ${JSON.stringify(description)}`);
  let parts: string[] = [];
  let current = "";
  let sawEquals = false;
  const endArgument = () => {
    parts.push(current);
    if (parts.length === 1) {
      args.push(parts[0] as string);
    } else {
      const [key, value] = parts as [string, string];
      if (Object.hasOwn(kwargs, key)) throw bad(`Key '${key}' given twice`);
      kwargs[key] = value;
    }
    parts = [];
    current = "";
    sawEquals = false;
  };
  for (let i = 0; i < description.length; i++) {
    const c = description[i];
    if (c === "\\") {
      i++;
      if (i >= description.length) throw bad("Trailing backslash");
      current += description[i];
    } else if (c === ":") {
      endArgument();
    } else if (c === "=" && !sawEquals) {
      parts.push(current);
      current = "";
      sawEquals = true;
    } else {
      current += c;
    }
  }
  endArgument();
  const type = args.shift();
  if (type === undefined) throw bad("Missing endpoint type");
  return { type, args, kwargs };
}

/**
 * Escape `argument` for use inside a description (the inverse of the parsing above): a
 * backslash before each backslash, colon and `=`.
 *
 * ```ts
 * serverFromString(reactor, `ssl:443:privateKey=${quoteStringArgument(path)}`);
 * ```
 *
 * Twisted's version leaves `=` alone, which is safe for values after `key=` but not for a
 * positional argument such as a UNIX socket path containing `=`; escaping it is always safe.
 */
export function quoteStringArgument(argument: string): string {
  return argument.replace(/[\\:=]/g, (c) => `\\${c}`);
}

function describe(description: string, e: unknown): EndpointDescriptionError {
  if (e instanceof EndpointDescriptionError && e.message.endsWith(JSON.stringify(description)))
    return e;
  const why = e instanceof Error ? e.message : String(e);
  return new EndpointDescriptionError(
    `${why.charAt(0).toUpperCase()}${why.slice(1)} in ${JSON.stringify(description)}`,
    {
      cause: e,
    },
  );
}

/**
 * Make a server endpoint from a description (Twisted's `serverFromString`):
 *
 * - `tcp:8007`, `tcp:port=8007:interface=127.0.0.1:backlog=511` (defaults: all IPv4
 *   interfaces, backlog 511) → {@link TCP4ServerEndpoint}
 * - `tcp6:8007:interface=::1` (default interface `::`) → {@link TCP6ServerEndpoint}
 * - `unix:/var/run/finger`, `unix:address=/path:mode=660:lockfile=0:backlog=511` (mode is
 *   octal, default 666; lockfile default 1) → {@link UNIXServerEndpoint}
 * - `ssl:443:privateKey=key.pem:certKey=cert.pem` (+ `extraCertChain`, `dhParameters`,
 *   `sslmethod`, `interface`, `backlog`, `handshakeTimeout` in seconds (default 30); default
 *   `privateKey=server.pem`, `certKey` = the private key file) → {@link SSL4ServerEndpoint};
 *   the files are read at `listen` time
 * - `systemd:domain=INET:index=0` or `systemd:domain=UNIX:name=web` (socket activation) →
 *   {@link AdoptedStreamServerEndpoint}
 * - any type added with {@link registerServerEndpointParser}.
 *
 * Nothing is opened until `listen`. Throws `EndpointDescriptionError` naming the description
 * for an unknown type (`Unknown endpoint type: 'foo' in "foo:123"`), an unknown or repeated
 * key, a missing or non-numeric port, and the like.
 */
export function serverFromString(
  reactor: EndpointReactor,
  description: string,
): IStreamServerEndpoint {
  return build(reactor, description, serverEndpointParser);
}

/**
 * Make a client endpoint from a description (Twisted's `clientFromString`):
 *
 * - `tcp:host=example.com:port=80:timeout=30:bindAddress=192.0.2.1`, or positionally
 *   `tcp:example.com:80` (either may be positional) → {@link TCP4ClientEndpoint}
 * - `unix:path=/var/run/finger:timeout=9:lockfile=1` or `unix:/var/run/finger`
 *   (`checkPID=1` is accepted for `lockfile=1`) → {@link UNIXClientEndpoint}
 * - `ssl:example.com:443` (+ `certKey`, `privateKey`, `caCertsDir`, `hostname`, `timeout`,
 *   `bindAddress`) → {@link SSL4ClientEndpoint}. Unlike Twisted's, it verifies the server's
 *   certificate against `caCertsDir` (or Node's roots) and `hostname` (or `host`).
 * - `tls:example.com:443` (+ `timeout`, `bindAddress`, `certificate`, `privateKey`,
 *   `trustRoots`, and `endpoint=<escaped client description>` to run TLS over another
 *   endpoint) → a TLS client endpoint verifying `host`
 * - any type added with {@link registerClientEndpointParser}.
 *
 * Throws `EndpointDescriptionError` as {@link serverFromString} does.
 */
export function clientFromString(
  reactor: EndpointReactor,
  description: string,
): IStreamClientEndpoint {
  return build(reactor, description, clientEndpointParser);
}

/** Parse `description`, look its type up with `parserFor` and run that parser. */
function build<E>(
  reactor: EndpointReactor,
  description: string,
  parserFor: (
    type: string,
  ) =>
    | ((reactor: EndpointReactor, args: string[], kwargs: Record<string, string>) => E)
    | undefined,
): E {
  const { type, args, kwargs } = parseDescription(description);
  const parser = parserFor(type);
  if (parser === undefined)
    throw describe(description, new Error(`Unknown endpoint type: '${type}'`));
  try {
    return parser(reactor, args, kwargs);
  } catch (e) {
    throw describe(description, e);
  }
}
