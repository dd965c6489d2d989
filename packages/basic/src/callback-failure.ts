/**
 * Containment of a protocol callback's rejected promise (issue: errors are contained). Local to
 * this package for now: it uses only core's public API, and belongs in core beside the
 * transport's own handling of a thrown callback.
 *
 * @module
 */
import type { ITCPTransport, ITransport, Protocol } from "@torsion/core";
import { Failure, Logger } from "@torsion/core";

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
  // rest is out of line so that this inlines.
  if (result !== undefined && result !== null) watch(protocol, result, callback);
}

function watch(protocol: Protocol, result: PromiseLike<void>, callback: string): void {
  if (typeof (result as Partial<PromiseLike<void>>).then !== "function") return;
  result.then(undefined, (reason: unknown) => callbackRejected(protocol, reason, callback));
}

function callbackRejected(protocol: Protocol, reason: unknown, callback: string): void {
  const transport = protocol.hasTransport ? protocol.transport : undefined;
  log.failure("Unhandled error in {callback}", Failure.from(reason), {
    callback,
    log_system: logPrefixOf(transport) ?? protocol.logPrefix(),
  });
  if (transport === undefined) return;
  const abort = (transport as Partial<ITCPTransport>).abortConnection;
  if (typeof abort === "function") abort.call(transport);
  else transport.loseConnection();
}

/** The transport's own log prefix (protocol, session number, peer), where it has one. */
function logPrefixOf(transport: ITransport | undefined): string | undefined {
  const prefix = (transport as { logPrefix?: () => string } | undefined)?.logPrefix;
  return typeof prefix === "function" ? prefix.call(transport) : undefined;
}
