/**
 * How `twist` applies `--metrics`: one call in the runner's builder.
 *
 * @module
 */
import cluster from "node:cluster";
import type { EndpointReactor, IReactorTime } from "@torsion/core";
import { AggregatorRegistry, collectDefaultMetrics } from "prom-client";
import type { IService } from "../service/service.ts";
import { ConnectionMetrics } from "./connection-metrics.ts";
import { instrumentServices, MetricsService } from "./metrics-service.ts";
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
 * - a `--workers` worker: `root`'s endpoints counted on registries that prom-client's cluster
 *   aggregator in the primary collects (the primary serves HTTP: see `PrimaryMetrics`);
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
    const connections = new ConnectionMetrics();
    collectDefaultMetrics({ register: connections.registry });
    instrumentServices(root, connections);
    // Answer the primary's AggregatorRegistry with these registries (prom-client's cluster
    // protocol over the worker's IPC channel).
    AggregatorRegistry.setRegistries([connections.registry, pluginMetricsRegistry()]);
    return root;
  }
  if (workers > 1) return root;
  return new MetricsService(root, { endpoint: args.metrics, reactor, grace: args.metricsGrace });
}
