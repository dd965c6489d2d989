/**
 * Containment of a protocol callback's rejected promise (issue: errors are contained), on
 * core's `containResult` and `logPrefixOf`, as the transports contain their own callbacks.
 *
 * @module
 */
import type { ITCPTransport, Protocol } from "@torsion/core";
import { Failure, Logger, logPrefixOf } from "@torsion/core";
import { containResult } from "@torsion/core/policies";

const log = new Logger("torsion.basic");

/** What a hook may return: nothing, or a promise (an `async` hook) whose rejection is contained. */
export type HookResult = void | PromiseLike<void>;

/**
 * If `result` (what the hook named `callback` returned) is a promise, handle its rejection as
 * the transport handles a thrown callback: log it with the connection's log prefix and abort
 * that connection (only that one). Nothing is awaited: frames keep flowing, as in Twisted,
 * where a Deferred returned by `lineReceived` is not waited for either.
 */
export function containRejection(protocol: Protocol, result: HookResult, callback: string): void {
  // Called once per frame: the synchronous hooks of the hot path pay one comparison, and the
  // rest (a closure, core's thenable check) is out of line so that this inlines.
  if (result !== undefined && result !== null) watch(protocol, result, callback);
}

function watch(protocol: Protocol, result: PromiseLike<void>, callback: string): void {
  containResult(result, (reason: unknown) => callbackRejected(protocol, reason, callback));
}

function callbackRejected(protocol: Protocol, reason: unknown, callback: string): void {
  const transport = protocol.hasTransport ? protocol.transport : undefined;
  log.failure("Unhandled error in {callback}", Failure.from(reason), {
    callback,
    // The transport's own prefix (protocol, session number, peer) where it has one.
    log_system:
      transport === undefined ? protocol.logPrefix() : logPrefixOf(transport, protocol.logPrefix()),
  });
  if (transport === undefined) return;
  const abort = (transport as Partial<ITCPTransport>).abortConnection;
  if (typeof abort === "function") abort.call(transport);
  else transport.loseConnection();
}
