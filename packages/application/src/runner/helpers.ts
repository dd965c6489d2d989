/**
 * What `twist` hands a plugin's `makeService` ({@link serviceMakerHelpers}), and the call
 * itself ({@link makePluginService}), which checks what comes back.
 *
 * @module
 */
import {
  EndpointDescriptionError,
  type EndpointReactor,
  type IReactor,
  type IReactorTime,
  Logger,
} from "@torsion/core";
import { PluginError, UsageError } from "../errors.ts";
import { pluginMetricsRegistry } from "../metrics/plugin-registry.ts";
import type { OptionValues } from "../plugin/options.ts";
import type { ServiceMaker, ServiceMakerHelpers } from "../plugin/types.ts";
import { service as endpointService } from "../service/endpoint-service.ts";
import { MultiService } from "../service/multi-service.ts";
import type { IService } from "../service/service.ts";
import { parseUDPAddress, UDPServer } from "../service/udp-server.ts";
import { StartupError } from "./startup-error.ts";

/** The reactor `twist` runs on. */
export type RunnerReactor = IReactor & EndpointReactor & IReactorTime;

/**
 * The helpers `twist` gives plugin `pluginName`'s `makeService`: `listen` makes a
 * `StreamServerEndpointService`, `listenUDP` a {@link UDPServer}, `combine` a `MultiService`.
 * Also for a plugin's own tests, to make its service exactly as `twist` would. (The runner's
 * `--shutdown-timeout`, `--idle-timeout` and connection caps are applied afterwards, to every
 * listening service of the tree, whoever made it.)
 */
export function serviceMakerHelpers(
  pluginName: string,
  reactor: RunnerReactor,
): ServiceMakerHelpers {
  return {
    reactor,
    listen: (description, factory) => endpointService(description, factory, reactor),
    listenUDP: (address, protocol, options = {}) => {
      if (typeof address === "number") return new UDPServer(reactor, address, protocol, options);
      const { interface: host, port } = parseUDPAddress(address);
      // A bare PORT keeps the interface given in the options.
      return new UDPServer(
        reactor,
        port,
        protocol,
        host ? { ...options, interface: host } : options,
      );
    },
    logger: new Logger(pluginName),
    metrics: pluginMetricsRegistry(),
    combine: (services) => {
      if (services.length === 1) return services[0]!;
      const all = new MultiService();
      for (const s of services) s.setServiceParent(all);
      return all;
    },
  };
}

/** Whether `error` is the user's to fix on the command line (`twist` exits 64). */
export function isUsageError(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    error instanceof EndpointDescriptionError ||
    (error as { code?: unknown } | null)?.code === "ERR_TORSION_USAGE"
  );
}

/**
 * Make plugin `maker`'s service from option `values`.
 *
 * @throws What `makeService` throws when it is a usage error (a `UsageError`, an error whose
 *   `code` is `"ERR_TORSION_USAGE"`, or an `EndpointDescriptionError` from `listen`): `twist`
 *   exits 64. Anything else it throws, or a result that is not a service, is a
 *   {@link StartupError} naming the plugin, with the plugin's error as `cause`: `twist` exits 1.
 */
export async function makePluginService(
  maker: ServiceMaker,
  values: OptionValues,
  reactor: RunnerReactor,
): Promise<IService> {
  let made: unknown;
  try {
    made = await maker.makeService(values as never, serviceMakerHelpers(maker.name, reactor));
  } catch (error) {
    if (isUsageError(error) || error instanceof PluginError) throw error;
    throw new StartupError(
      `plugin ${maker.name} could not make its service: ${(error as Error)?.message ?? String(error)} (fix the plugin's options, or report it to the plugin's authors)`,
      { cause: error },
    );
  }
  if (
    made === null ||
    typeof made !== "object" ||
    typeof (made as IService).startService !== "function"
  ) {
    throw new StartupError(
      `plugin ${maker.name}: makeService returned ${made === null ? "null" : typeof made}, not a service (an object with startService); report it to the plugin's authors`,
    );
  }
  return made as IService;
}
