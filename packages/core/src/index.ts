/**
 * `@torsion/core`: what a protocol or application author uses — Deferreds, `Failure` and the
 * errors programs catch, the reactor, protocols and factories, the interfaces they implement,
 * endpoints (strings and classes), the `Logger`, `task` and `policies`.
 *
 * Every public name is listed here by name (no `export *`), one section per concept, and the
 * list is pinned by `test/api-surface.test.ts`: a new root export is a deliberate change.
 * The rest lives in subpaths, one per audience:
 *
 * - `@torsion/core/testing`: `Clock`, `StringTransport`, `MemoryReactor`, loopback pairs.
 * - `@torsion/core/logger`: observers, formatting, filters, the publisher and beginner.
 * - `@torsion/core/endpoints`: the kit for packages that add endpoint types (parser registry,
 *   argument converters, the reactor facets and option types an endpoint calls).
 * - `@torsion/core/errors`: every error class, including the rarer ones not listed here.
 * - `@torsion/core/policies`: the policies' wrapper protocols and option types, to build on.
 *
 * @module
 */

// --- errors -------------------------------------------------------------------------------
export {
  CancelledError,
  CannotListenError,
  ConnectError,
  ConnectionClosed,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  EndpointDescriptionError,
  FirstError,
  TimeoutError,
  TorsionError,
} from "./errors.ts";
export { Failure } from "./failure.ts";

// --- interfaces ---------------------------------------------------------------------------
export type {
  IAddress,
  IConnector,
  IConsumer,
  IDatagramProtocol,
  IDelayedCall,
  IHalfCloseableProtocol,
  IListeningPort,
  ILoggingContext,
  IProducer,
  IProtocol,
  IProtocolFactory,
  IPullProducer,
  IPushProducer,
  IReactor,
  IReactorCore,
  IReactorTime,
  IStreamClientEndpoint,
  IStreamServerEndpoint,
  ITCPTransport,
  ITransport,
  IUDPTransport,
} from "./interfaces.ts";
export { logPrefixOf } from "./logging-context.ts";

// --- addresses ----------------------------------------------------------------------------
export {
  IPv4Address,
  IPv6Address,
  UNIXAddress,
  isIPAddress,
} from "./transport/address.ts";

// --- deferred -----------------------------------------------------------------------------
export { getDebugging, setDebugging } from "./deferred/debug.ts";
export { Deferred } from "./deferred/deferred.ts";
export { ensureDeferred, fail, maybeDeferred, succeed } from "./deferred/helpers.ts";
export { DeferredList, gatherResults, race } from "./deferred/combinators.ts";
export { DeferredLock, DeferredQueue, DeferredSemaphore } from "./deferred/primitives.ts";

// --- reactor ------------------------------------------------------------------------------
export { createReactor, reactor } from "./reactor/default.ts";

// --- protocol, factory ------------------------------------------------------------------------
export { BaseProtocol, Protocol } from "./protocol/protocol.ts";
export { ClientFactory, Factory, ServerFactory } from "./protocol/factory.ts";
export { ReconnectingClientFactory } from "./protocol/reconnecting.ts";
export { DatagramProtocol } from "./protocol/datagram.ts";
export type { MaybeAsync } from "./protocol/contain.ts";

// --- endpoints ----------------------------------------------------------------------------
export { clientFromString, serverFromString } from "./endpoints/parse.ts";
export { connectProtocol, requestProtocol } from "./endpoints/connect.ts";
export type { RequestOptions } from "./endpoints/connect.ts";
export { HostnameEndpoint } from "./endpoints/hostname.ts";
export {
  TCP4ClientEndpoint,
  TCP4ServerEndpoint,
  TCP6ClientEndpoint,
  TCP6ServerEndpoint,
} from "./endpoints/tcp.ts";
export { UNIXClientEndpoint, UNIXServerEndpoint } from "./endpoints/unix.ts";
export { SSL4ClientEndpoint, SSL4ServerEndpoint, wrapClientTLS } from "./endpoints/tls.ts";
export { AdoptedStreamServerEndpoint } from "./endpoints/systemd.ts";

// --- logger -------------------------------------------------------------------------------
export type { ILogObserver, LogEvent } from "./logger/event.ts";
export { globalLogBeginner } from "./logger/global.ts";
export { jsonFileLogObserver } from "./logger/json.ts";
export { LogLevel } from "./logger/levels.ts";
export { Logger } from "./logger/logger.ts";
export { textFileLogObserver } from "./logger/text.ts";

// --- task ---------------------------------------------------------------------------------
export { CooperativeTask, Cooperator, coiterate, cooperate } from "./task/cooperator.ts";
export { deferLater } from "./task/defer-later.ts";
export { LoopingCall } from "./task/looping-call.ts";
export { react } from "./task/react.ts";

// --- how a connection ended ------------------------------------------------------------
export { describeConnectionLoss } from "./transport/connection-loss.ts";

// --- policies -----------------------------------------------------------------------------
export { ProtocolWrapper, WrappingFactory } from "./policies/wrapping.ts";
export { TimeoutFactory, TimeoutMixin } from "./policies/timeout.ts";
export { LimitConnectionsByPeer, LimitTotalConnectionsFactory } from "./policies/limit.ts";
export { ThrottlingFactory } from "./policies/throttle.ts";
export { DatagramGuard } from "./policies/datagram-guard.ts";
