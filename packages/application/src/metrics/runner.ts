/**
 * How `twist` applies `--metrics`: one call in the runner's builder.
 *
 * @module
 */
import cluster from "node:cluster";
import type { EndpointReactor, IReactorTime } from "@torsion/core";
import { AggregatorRegistry } from "prom-client";
import type { IService } from "../service/service.ts";
import { MetricsService } from "./metrics-service.ts";
import { pluginMetricsRegistry } from "./plugin-registry.ts";

/** The runner options `--metrics` reads. */
export interface RunnerMetricsArgs {
  /** `--metrics <endpoint>`. */
  metrics: string | undefined;
  /** `--metrics-grace <secs>`. */
  metricsGrace: number;
}

/**
 * Apply `--metrics` to the service tree `twist` is about to run:
 *
 * - one process: `root` wrapped in a {@link MetricsService} serving HTTP on `args.metrics`;
 * - a `--workers` worker: the same without HTTP; its registries answer prom-client's cluster
 *   aggregator in the primary, which serves HTTP (`startPrimaryMetrics`);
 * - the `--workers` primary (which builds the tree only to check it): `root` unchanged.
 */
export function withRunnerMetrics(
  root: IService,
  args: RunnerMetricsArgs,
  reactor: EndpointReactor & IReactorTime,
  workers = 1,
): IService {
  if (args.metrics === undefined) return root;
  if (cluster.isWorker) {
    // No HTTP here (the primary serves it), but the counting and the shutdown grace.
    const service = new MetricsService(root, { endpoint: null, reactor, grace: args.metricsGrace });
    // Answer the primary's AggregatorRegistry with these registries (prom-client's cluster
    // protocol over the worker's IPC channel).
    AggregatorRegistry.setRegistries([service.connections.registry, pluginMetricsRegistry()]);
    // Constructing one is what installs the worker's answer to the primary's requests.
    new AggregatorRegistry();
    return service;
  }
  if (workers > 1) return root;
  return new MetricsService(root, { endpoint: args.metrics, reactor, grace: args.metricsGrace });
}
