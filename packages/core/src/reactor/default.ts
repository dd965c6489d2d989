/**
 * The default {@link reactor} and {@link createReactor}.
 *
 * Importing this module constructs the default reactor and nothing more: no timer, no signal
 * handler, nothing in the process changes until `reactor.run()` (or a `callLater`).
 *
 * @module
 */
import { NodeReactor } from "./node-reactor.ts";
import { type TransportChoice, useTransport } from "./transport-choice.ts";

/** Options of {@link createReactor}. */
export interface ReactorOptions {
  /**
   * Listening TCP/UNIX ports on `native` (`@torsion/native`), `portable` (`node:net`) or `auto`
   * (native when the addon loads, else portable, logged once); default `TORSION_TRANSPORT`, else
   * `auto`.
   */
  transport?: TransportChoice;
}

/**
 * Make a new, independent reactor. Programs use the shared {@link reactor}; tests that need a
 * real reactor of their own (to run and stop it) make one here.
 */
export function createReactor(options: ReactorOptions = {}): NodeReactor {
  const reactor = new NodeReactor();
  if (options.transport !== undefined) useTransport(reactor, options.transport);
  return reactor;
}

/**
 * The process's reactor, for programs. Libraries take a reactor (or an `IReactorTime`) as a
 * parameter and default to this one; tests pass a `Clock` or a `MemoryReactor` instead.
 */
export const reactor: NodeReactor = createReactor();
