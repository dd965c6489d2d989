/**
 * Quoting for endpoint descriptions, apart from the parser so that parsers of nested
 * descriptions (`haproxy:`, `tls:`) can quote without importing the parser.
 *
 * @module
 */

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
