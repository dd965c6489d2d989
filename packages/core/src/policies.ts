/**
 * `@torsion/core/policies`: for code that builds on the policies (Twisted's
 * `twisted.protocols.policies`) rather than only using them: the wrapper protocols the
 * factories build (`TimeoutProtocol`, `ThrottlingProtocol`), to subclass, and the option and
 * registry types. A program that only applies a policy needs the root (`TimeoutFactory`,
 * `TimeoutMixin`, `WrappingFactory`, `ProtocolWrapper`, `LimitTotalConnectionsFactory`,
 * `LimitConnectionsByPeer`, `ThrottlingFactory`, `DatagramGuard`).
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
