/**
 * {@link startPrimaryMetrics}: `twist --workers N --metrics <endpoint>` in the primary process,
 * which runs no service: it serves HTTP, aggregating its workers' metrics with prom-client's
 * cluster aggregator.
 *
 * @module
 */
import {
  type EndpointReactor,
  type IListeningPort,
  type IReactorCore,
  type IReactorTime,
  Logger,
  serverFromString,
} from "@torsion/core";
import { AggregatorRegistry } from "prom-client";
import { HealthState } from "./health.ts";
import { HTTPResponderFactory, type HTTPRoute, textResponse } from "./http-responder.ts";

const log = new Logger("torsion.application.metrics");

/** What {@link startPrimaryMetrics} needs. */
export interface PrimaryMetricsOptions {
  /** `--metrics <endpoint>`. */
  endpoint: string;
  /** The primary's reactor: it listens there, and stops listening during its shutdown. */
  reactor: EndpointReactor & IReactorTime & Pick<IReactorCore, "addSystemEventTrigger">;
  /** `true` once every worker said it started (`/readyz`). */
  ready: () => boolean;
}

/**
 * Serve `/metrics` (the sum, or prom-client's per-metric aggregation, over the live workers),
 * `/healthz` and `/readyz` from the `--workers` primary. `/healthz` turns 503 when the
 * primary's shutdown begins (its "before shutdown" trigger); each worker then keeps listening
 * for its own `--metrics-grace` (the worker wraps its services in a `MetricsService` without an
 * endpoint) while the primary waits for the workers, so balancers see the 503 first. The
 * listener closes in the "during" phase, after the workers exited.
 *
 * The runner calls it once in the primary, after `reactor.run()`:
 * `startPrimaryMetrics({ endpoint: args.metrics, reactor, ready })`.
 */
export function startPrimaryMetrics(options: PrimaryMetricsOptions): HealthState {
  const health = new HealthState();
  const aggregator = new AggregatorRegistry();
  const routes = new Map<string, HTTPRoute>([
    [
      "/metrics",
      async () => ({
        status: 200,
        contentType: aggregator.contentType,
        body: await aggregator.clusterMetrics(),
      }),
    ],
    [
      "/healthz",
      () => (health.healthy ? textResponse(200, "ok\n") : textResponse(503, "shutting down\n")),
    ],
    [
      "/readyz",
      () =>
        !health.stopping && options.ready()
          ? textResponse(200, "ready\n")
          : textResponse(503, health.stopping ? "shutting down\n" : "starting\n"),
    ],
  ]);
  const { reactor } = options;
  let port: IListeningPort | null = null;
  serverFromString(reactor, options.endpoint)
    .listen(new HTTPResponderFactory(routes, reactor))
    .addCallbacks(
      (p) => {
        port = p;
        log.info("Serving the workers' metrics and health on {endpoint}", {
          endpoint: options.endpoint,
        });
      },
      (f) => {
        log.failure("Cannot serve metrics on {endpoint}", f, { endpoint: options.endpoint });
      },
    );
  reactor.addSystemEventTrigger("before", "shutdown", () => {
    health.stopping = true;
  });
  reactor.addSystemEventTrigger("during", "shutdown", () => port?.stopListening());
  return health;
}
