/**
 * `@torsion/application`: services, the plugin contract, and the `twist` runner (after
 * Twisted's `twisted.application`).
 *
 * Every public name is listed here by name (no `export *`), one section per concept.
 *
 * @module
 */

// --- errors -------------------------------------------------------------------------------
export {
  AlreadyRunningError,
  InvalidPIDFileError,
  PluginError,
  ServiceStartError,
  UsageError,
} from "./errors.ts";
export type { PluginErrorCode } from "./errors.ts";

// --- services -----------------------------------------------------------------------------
export { Service } from "./service/service.ts";
export type { IService, IServiceCollection } from "./service/service.ts";
export { Application, MultiService } from "./service/multi-service.ts";
export { StreamServerEndpointService, service } from "./service/endpoint-service.ts";
export type { StreamServerEndpointServiceOptions } from "./service/endpoint-service.ts";
export { ConnectionTrackingFactory } from "./service/tracking.ts";
export type { ConnectionTrackingOptions } from "./service/tracking.ts";
export { TimerService } from "./service/timer-service.ts";
export { parseUDPAddress, UDPServer } from "./service/udp-server.ts";
export { ClientService, backoffPolicy } from "./service/client-service.ts";
export type {
  BackoffOptions,
  ClientServiceOptions,
  WhenConnectedOptions,
} from "./service/client-service.ts";

// --- plugins ------------------------------------------------------------------------------
export { defineServiceMaker } from "./plugin/types.ts";
export type {
  BooleanOption,
  OptionalStringOption,
  ParsedOption,
  ParsedOptions,
  PluginOption,
  PluginOptions,
  ServiceMaker,
  ServiceMakerHelpers,
  StringListOption,
  StringOption,
} from "./plugin/types.ts";
export { discoverPlugins, nodeModulesDirs } from "./plugin/discovery.ts";
export type { DiscoveryOptions, DiscoveryResult, PluginInfo } from "./plugin/discovery.ts";
export { loadPlugin, resolvePackageExport } from "./plugin/load.ts";
export type { LoadPluginOptions } from "./plugin/load.ts";
export { satisfies } from "./plugin/semver.ts";

// --- runner -------------------------------------------------------------------------------
export { ConnectionMetrics } from "./metrics/connection-metrics.ts";
export type { EndpointCounters } from "./metrics/connection-metrics.ts";
export { CountingFactory } from "./metrics/counting-factory.ts";
export { HealthState } from "./metrics/health.ts";
export {
  DEFAULT_METRICS_GRACE,
  instrumentServices,
  MetricsService,
  withMetrics,
} from "./metrics/metrics-service.ts";
export type { MetricsServiceOptions } from "./metrics/metrics-service.ts";
export { pluginMetricsRegistry } from "./metrics/plugin-registry.ts";
export { startPrimaryMetrics } from "./metrics/primary.ts";
export type { PrimaryMetricsOptions } from "./metrics/primary.ts";
export { EXIT_USAGE, main } from "./runner/main.ts";
export type { RunnerIO } from "./runner/main.ts";
export type { TerminalStream } from "./runner/logging.ts";
export type { ProcessEvents } from "./runner/process-handlers.ts";
export { serviceMakerHelpers } from "./runner/helpers.ts";
export type { RunnerReactor } from "./runner/helpers.ts";
export { StartupError } from "./runner/startup-error.ts";
export type { ConfigServiceEntry, TwistConfig } from "./runner/config.ts";
export { PIDFile } from "./runner/pidfile.ts";
export { applicationVersion } from "./version.ts";
