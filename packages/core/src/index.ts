/**
 * `@torsion/core`: the reactor, Deferred, protocols, transports and endpoints.
 *
 * Every public name is listed here by name (no `export *`), one section per concept.
 *
 * @module
 */

// --- errors -------------------------------------------------------------------------------
export {
  AlreadyCalled,
  AlreadyCalledError,
  AlreadyCancelled,
  CancelledError,
  CannotListenError,
  CertificateError,
  ConnectBindError,
  ConnectError,
  ConnectingCancelledError,
  ConnectionAborted,
  ConnectionClosed,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  DNSLookupError,
  DeferredStateError,
  EndpointDescriptionError,
  FailureGroup,
  FirstError,
  NoRouteError,
  NotConnectedError,
  NotConnectingError,
  ProcessDone,
  ProcessExitedAlready,
  ProcessKilled,
  ProcessSpawnError,
  ProcessTerminated,
  QueueOverflow,
  QueueUnderflow,
  ReactorAlreadyRunning,
  ReactorNotRestartable,
  ReactorNotRunning,
  TCPTimedOutError,
  TimeoutError,
  TorsionError,
  UnexpectedErrorOutput,
  UserError,
  cannotListen,
  fromSystemError,
} from "./errors.ts";
export { Failure } from "./failure.ts";

// --- interfaces ---------------------------------------------------------------------------
export type {
  ConnectTCPOptions,
  ConnectUNIXOptions,
  IAddress,
  IConnector,
  IConsumer,
  IDatagramProtocol,
  IDelayedCall,
  IHalfCloseableProtocol,
  IListeningPort,
  IProducer,
  IProtocol,
  IProtocolFactory,
  IPullProducer,
  IPushProducer,
  IReactor,
  IReactorCore,
  IReactorSSL,
  IReactorTCP,
  IReactorTime,
  IReactorUDP,
  IReactorUNIX,
  IStreamClientEndpoint,
  IStreamServerEndpoint,
  ITCPTransport,
  ITLSTransport,
  ITransport,
  IUDPTransport,
  ListenTCPOptions,
  ListenUDPOptions,
  ListenUNIXOptions,
  SystemEvent,
  SystemEventPhase,
  TLSOptions,
} from "./interfaces.ts";

// --- deferred -----------------------------------------------------------------------------
export { getDebugging, setDebugging } from "./deferred/debug.ts";
export { Deferred } from "./deferred/deferred.ts";
export type { AddCallbacksOptions } from "./deferred/deferred.ts";
export { ensureDeferred, execute, fail, maybeDeferred, succeed } from "./deferred/helpers.ts";
export { DeferredList, gatherResults, race } from "./deferred/combinators.ts";
export type {
  DeferredListConstructor,
  DeferredListEntry,
  DeferredListOptions,
  DeferredListResult,
} from "./deferred/combinators.ts";
export { DeferredLock, DeferredQueue, DeferredSemaphore } from "./deferred/primitives.ts";

// --- logger -------------------------------------------------------------------------------
export { InvalidLogLevelError } from "./errors.ts";
export { DEFAULT_BUFFER_MAXIMUM, LimitedHistoryLogObserver } from "./logger/buffer.ts";
export type { ILogObserver, LogEvent } from "./logger/event.ts";
export { FileLogObserver } from "./logger/file.ts";
export type { LogStream } from "./logger/file.ts";
export {
  FilteringLogObserver,
  LogLevelFilterPredicate,
  PredicateResult,
  shouldLogEvent,
} from "./logger/filter.ts";
export type { ILogFilterPredicate } from "./logger/filter.ts";
export {
  eventAsText,
  formatEvent,
  formatEventAsClassicLogText,
  formatSystem,
  formatTime,
  formatTraceback,
  formatUnformattableEvent,
  timeFormatRFC3339,
} from "./logger/format.ts";
export type { EventAsTextOptions } from "./logger/format.ts";
export { formatWithCall } from "./logger/format-string.ts";
export {
  LogBeginner,
  MORE_THAN_ONCE_WARNING,
  globalLogBeginner,
  globalLogPublisher,
} from "./logger/global.ts";
export type { BeginLoggingOptions, LogBeginnerOptions } from "./logger/global.ts";
export { eventAsJSON, jsonFileLogObserver, pinoLevels } from "./logger/json.ts";
export {
  LogLevel,
  compareLogLevels,
  isLogLevel,
  logLevelFromName,
  logLevelPriority,
} from "./logger/levels.ts";
export { Logger } from "./logger/logger.ts";
export {
  LogObserver,
  LogPublisher,
  OBSERVER_DISABLED,
  bitbucketLogObserver,
} from "./logger/observer.ts";
export type { RedirectableStream, StandardIO } from "./logger/stdio.ts";
export { textFileLogObserver } from "./logger/text.ts";
export type { TextFileLogObserverOptions } from "./logger/text.ts";

// --- reactor (time, lifecycle) --------------------------------------------------------------
export { ReactorBase, type RunOptions } from "./reactor/base.ts";
export { DelayedCall, type DelayedCallOwner } from "./reactor/delayed-call.ts";
export { createReactor, reactor } from "./reactor/default.ts";
export type { SystemEventTrigger } from "./reactor/three-phase-event.ts";

// --- task ---------------------------------------------------------------------------------
export {
  NotPaused,
  SchedulerError,
  SchedulerStopped,
  TaskDone,
  TaskFailed,
  TaskFinished,
  TaskStopped,
} from "./errors.ts";
export {
  type Cancellable,
  CooperativeTask,
  Cooperator,
  type CooperatorOptions,
  coiterate,
  cooperate,
} from "./task/cooperator.ts";
export { deferLater } from "./task/defer-later.ts";
export { LoopingCall } from "./task/looping-call.ts";
export { type ReactOptions, react } from "./task/react.ts";
export { logUnhandledRejections } from "./task/unhandled.ts";

// --- protocol, factory ------------------------------------------------------------------------
export { BaseProtocol, Protocol, connectionDone } from "./protocol/protocol.ts";
export { ClientFactory, Factory, ServerFactory, isClientFactory } from "./protocol/factory.ts";
export type { ProtocolClass } from "./protocol/factory.ts";
export { ReconnectingClientFactory } from "./protocol/reconnecting.ts";
export type { ReconnectingClientFactoryOptions } from "./protocol/reconnecting.ts";
export { DatagramProtocol } from "./protocol/datagram.ts";
export { callContained, containResult } from "./protocol/contain.ts";
export type { MaybeAsync } from "./protocol/contain.ts";

// --- transports, addresses ----------------------------------------------------------------
export { IPv4Address, IPv6Address, UNIXAddress, addressFor } from "./transport/address.ts";
export { TCPTransport } from "./transport/tcp.ts";
export { StreamPort } from "./transport/port.ts";
export type { PortAddress } from "./transport/port.ts";
export { StreamConnector } from "./transport/connector.ts";
export {
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_LOW_WATER_MARK,
  DEFAULT_MAX_UNSENT,
  hasFlowControl,
  UnsentDataLimitExceeded,
} from "./transport/flow-control.ts";
export type {
  FlowControl,
  FlowControlOptions,
  IFlowControlledTransport,
} from "./transport/flow-control.ts";
export { DEFAULT_BACKLOG } from "./reactor/tcp.ts";
export { DEFAULT_TLS_HANDSHAKE_TIMEOUT } from "./reactor/tls.ts";
export { ACCEPT_BACKOFF } from "./transport/port.ts";
export {
  ConnectionTimedOut,
  describeConnectionLoss,
  UnsentDataDropped,
} from "./transport/connection-loss.ts";
export type {
  ConnectionLossDescription,
  ConnectionLossKind,
} from "./transport/connection-loss.ts";

// --- reactor (network) --------------------------------------------------------------------
export { NodeReactor } from "./reactor/node-reactor.ts";
export { UDPPort } from "./reactor/udp.ts";

// --- endpoints ----------------------------------------------------------------------------
export { AlreadyListened, NoProtocol } from "./errors.ts";
export {
  bindArguments,
  required,
  toFlag,
  toInteger,
  toMode,
  toPort,
  toSeconds,
} from "./endpoints/arguments.ts";
export { clientFromArgument } from "./endpoints/command-line.ts";
export { connectProtocol, requestProtocol } from "./endpoints/connect.ts";
export type { IResultProtocol, RequestOptions } from "./endpoints/connect.ts";
export { HostnameEndpoint } from "./endpoints/hostname.ts";
export {
  clientFromString,
  parseDescription,
  quoteStringArgument,
  serverFromString,
} from "./endpoints/parse.ts";
export type { ParsedDescription } from "./endpoints/parse.ts";
export {
  registerClientEndpointParser,
  registerServerEndpointParser,
} from "./endpoints/registry.ts";
export type {
  ClientEndpointParser,
  EndpointKeywords,
  EndpointReactor,
  ServerEndpointParser,
} from "./endpoints/registry.ts";
export { AdoptedStreamServerEndpoint, ListenFDs } from "./endpoints/systemd.ts";
export type { AddressFamily, IReactorSocket } from "./endpoints/systemd.ts";
export {
  TCP4ClientEndpoint,
  TCP4ServerEndpoint,
  TCP6ClientEndpoint,
  TCP6ServerEndpoint,
} from "./endpoints/tcp.ts";
export type {
  TCP6ClientEndpointOptions,
  TCPClientEndpointOptions,
  TCPServerEndpointOptions,
} from "./endpoints/tcp.ts";
export { loadClientTLSFiles, loadServerTLSFiles } from "./endpoints/tls-files.ts";
export type { ClientTLSFiles, ServerTLSFiles } from "./endpoints/tls-files.ts";
export { SSL4ClientEndpoint, SSL4ServerEndpoint, wrapClientTLS } from "./endpoints/tls.ts";
export type { TLSOptionsSource } from "./endpoints/tls.ts";
export { UNIXClientEndpoint, UNIXServerEndpoint } from "./endpoints/unix.ts";
export type { UNIXClientEndpointOptions, UNIXServerEndpointOptions } from "./endpoints/unix.ts";

// --- PROXY protocol (haproxy: endpoint wrapper) -----------------------------------------------
export { HAProxyServerEndpoint, haproxyServerParser } from "./haproxy/endpoint.ts";
export { ProxyHeaderDecoder } from "./haproxy/decoder.ts";
export type { ProxyHeaderDecoderOptions } from "./haproxy/decoder.ts";
export {
  InvalidNetworkProtocol,
  InvalidProxyHeader,
  MissingAddressData,
} from "./haproxy/errors.ts";
export { proxyHeaderV1, proxyHeaderV2 } from "./haproxy/header.ts";
export type { ProxyHeaderResult, ProxyInfo } from "./haproxy/info.ts";
export { V1Parser, V1_MAX_LENGTH } from "./haproxy/v1-parser.ts";
export { V2Parser, V2_DEFAULT_MAX_LENGTH, V2_SIGNATURE } from "./haproxy/v2-parser.ts";
export type { V2ParserOptions } from "./haproxy/v2-parser.ts";
export {
  DEFAULT_HEADER_TIMEOUT,
  HAProxyProtocol,
  HAProxyWrappingFactory,
} from "./haproxy/wrapper.ts";
export type { HAProxyWrappingFactoryOptions } from "./haproxy/wrapper.ts";

// --- policies -----------------------------------------------------------------------------
export { ProtocolWrapper, WrappingFactory } from "./policies/wrapping.ts";
export type { ProtocolRegistry } from "./policies/wrapping.ts";
export { TimeoutFactory, TimeoutMixin, TimeoutProtocol } from "./policies/timeout.ts";
export type {
  TimeoutFactoryOptions,
  TimeoutMixinOptions,
  TimeoutProtocolFactory,
} from "./policies/timeout.ts";
export { LimitConnectionsByPeer, LimitTotalConnectionsFactory } from "./policies/limit.ts";
export { ThrottlingFactory, ThrottlingProtocol } from "./policies/throttle.ts";
export { DatagramGuard, SMALL_SERVICE_PORTS } from "./policies/datagram-guard.ts";
export type { DatagramGuardOptions } from "./policies/datagram-guard.ts";
export type { ThrottlingFactoryOptions, ThrottlingRegistry } from "./policies/throttle.ts";
