/**
 * {@link logPrefixOf}: the one place that reads an {@link ILoggingContext}'s prefix.
 *
 * @module
 */
import type { ILoggingContext } from "./interfaces.ts";

/** Whether `x` has Twisted's `logPrefix()` method. */
function isLoggingContext(x: unknown): x is ILoggingContext {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as Partial<ILoggingContext>).logPrefix === "function"
  );
}

/**
 * The log prefix of a protocol, factory or transport: its `logPrefix()` when it is an
 * {@link ILoggingContext}, else `fallback`, else its class name (as Twisted's
 * `_wrappedLogPrefix` and `ILoggingContext(x, None)` lookups do).
 *
 * ```ts
 * const system = logPrefixOf(this.transport, this.logPrefix());
 * ```
 */
export function logPrefixOf(x: object, fallback?: string): string {
  if (isLoggingContext(x)) return x.logPrefix();
  return fallback ?? x.constructor.name;
}
