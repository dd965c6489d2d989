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
  FirstError,
  NoRouteError,
  NotConnectedError,
  NotConnectingError,
  ProcessDone,
  ProcessExitedAlready,
  ProcessTerminated,
  ReactorAlreadyRunning,
  ReactorNotRestartable,
  ReactorNotRunning,
  TCPTimedOutError,
  TimeoutError,
  TorsionError,
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

// --- logger -------------------------------------------------------------------------------

// --- reactor (time, lifecycle) --------------------------------------------------------------

// --- task ---------------------------------------------------------------------------------

// --- protocol, factory ------------------------------------------------------------------------
export { BaseProtocol, Protocol, connectionDone } from "./protocol/protocol.ts";
export { ClientFactory, Factory, ServerFactory, isClientFactory } from "./protocol/factory.ts";
export type { ProtocolClass } from "./protocol/factory.ts";

// --- transports, addresses ----------------------------------------------------------------
export { IPv4Address, IPv6Address, UNIXAddress, addressFor } from "./transport/address.ts";

// --- reactor (network) --------------------------------------------------------------------

// --- endpoints ----------------------------------------------------------------------------

// --- policies -----------------------------------------------------------------------------
