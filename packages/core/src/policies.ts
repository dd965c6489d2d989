/**
 * `@torsion/core/policies`: for code that builds on the policies (Twisted's
 * `twisted.protocols.policies`) rather than only using them: the wrapper protocols the
 * factories build (`TimeoutProtocol`, `ThrottlingProtocol`) and their transport side
 * (`ForwardingTransport`), to subclass, and the option and registry types. A program that only applies a policy needs the root (`TimeoutFactory`,
 * `TimeoutMixin`, `WrappingFactory`, `ProtocolWrapper`, `LimitTotalConnectionsFactory`,
 * `LimitConnectionsByPeer`, `ThrottlingFactory`, `DatagramGuard`).
 *
 * Also the limits and defaults a connection lives under, for code that reads or enforces
 * them: flow control's water marks and unsent-data ceiling, the listen backlog, the TLS
 * handshake timeout, the accept backoff, and the containment of callbacks' failures
 * (`containResult`, `callContained`) that the transports apply to every protocol callback.
 *
 * ```ts
 * import { TimeoutProtocol } from "@torsion/core/policies";
 * class LoggedTimeout extends TimeoutProtocol {}
 * ```
 *
 * @module
 */

export type { DatagramGuardOptions } from "./policies/datagram-guard.ts";
export { DatagramGuard, SMALL_SERVICE_PORTS } from "./policies/datagram-guard.ts";
export { ForwardingTransport } from "./policies/forwarding-transport.ts";
export { LimitConnectionsByPeer, LimitTotalConnectionsFactory } from "./policies/limit.ts";
export type { ThrottlingFactoryOptions, ThrottlingRegistry } from "./policies/throttle.ts";
export { ThrottlingFactory, ThrottlingProtocol } from "./policies/throttle.ts";
export type {
  TimeoutFactoryOptions,
  TimeoutMixinOptions,
  TimeoutProtocolFactory,
} from "./policies/timeout.ts";
export { TimeoutFactory, TimeoutMixin, TimeoutProtocol } from "./policies/timeout.ts";
export type { ProtocolRegistry } from "./policies/wrapping.ts";
export { ProtocolWrapper, WrappingFactory } from "./policies/wrapping.ts";
export { callContained, containResult } from "./protocol/contain.ts";
export { DEFAULT_BACKLOG } from "./reactor/tcp.ts";
export { DEFAULT_TLS_HANDSHAKE_TIMEOUT } from "./reactor/tls.ts";
export type {
  ConnectionLossDescription,
  ConnectionLossKind,
} from "./transport/connection-loss.ts";
export type {
  FlowControl,
  FlowControlOptions,
  IFlowControlledTransport,
} from "./transport/flow-control.ts";
export {
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_LOW_WATER_MARK,
  DEFAULT_MAX_UNSENT,
  hasFlowControl,
} from "./transport/flow-control.ts";
export { ACCEPT_BACKOFF } from "./transport/port.ts";
