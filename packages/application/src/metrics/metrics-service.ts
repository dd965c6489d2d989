/**
 * {@link MetricsService}: `twist --metrics <endpoint>`. It runs the application's service tree
 * and, beside it, serves `/metrics`, `/healthz` and `/readyz` over HTTP on a Torsion endpoint.
 *
 * @module
 */
import {
  type Deferred,
  deferLater,
  type EndpointReactor,
  type IReactorTime,
  Logger,
  maybeDeferred,
  serverFromString,
  succeed,
} from "@torsion/core";
import { collectDefaultMetrics, Registry } from "prom-client";
import { StreamServerEndpointService } from "../service/endpoint-service.ts";
import { MultiService } from "../service/multi-service.ts";
import type { IService } from "../service/service.ts";
import { ConnectionMetrics } from "./connection-metrics.ts";
import { CountingFactory } from "./counting-factory.ts";
import { HealthState } from "./health.ts";
import { HTTPResponderFactory, type HTTPRoute, textResponse } from "./http-responder.ts";
import { pluginMetricsRegistry } from "./plugin-registry.ts";

const log = new Logger("torsion.application.metrics");

/**
 * Seconds between `/healthz` turning 503 and the services' ports closing, so that balancers
 * polling `/healthz` (HAProxy `inter`) take the instance out before it stops accepting.
 */
export const DEFAULT_METRICS_GRACE = 2;

/** Options of {@link MetricsService}. */
export interface MetricsServiceOptions {
  /**
   * Where to serve HTTP: an endpoint description (`tcp:9464:interface=127.0.0.1`). `null` in a
   * `--workers` worker: the primary serves HTTP, the worker keeps the counting and the grace.
   */
  endpoint: string | null;
  /** The reactor: endpoints and the grace's time. */
  reactor: EndpointReactor & IReactorTime;
  /** The clock the grace is timed on; default `reactor`. */
  clock?: IReactorTime;
  /** See {@link DEFAULT_METRICS_GRACE}; default 2 seconds. */
  grace?: number;
  /** Also collect prom-client's default process and event-loop-lag metrics (default `true`). */
  defaultMetrics?: boolean;
  /** A registry of the process's own metrics to serve too; default {@link pluginMetricsRegistry}. */
  extraRegistry?: Registry;
}

/** Counts every endpoint service under `root`, labelled with the top-level service's name. */
export function instrumentServices(root: IService, metrics: ConnectionMetrics): number {
  let count = 0;
  const visit = (s: IService, label: string | null): void => {
    const name = label ?? s.name ?? String(s);
    if (s instanceof StreamServerEndpointService) {
      const counters = metrics.forEndpoint(name, s.description ?? String(s.endpoint));
      s.factoryWrappers.push((f) => new CountingFactory(f, counters));
      count++;
    }
    if (typeof (s as Partial<Iterable<IService>>)[Symbol.iterator] === "function") {
      for (const child of s as unknown as Iterable<IService>) visit(child, label ?? child.name);
    }
  };
  // The root is the Application ("twist" or the plugin's name); its children are the services.
  if (typeof (root as Partial<Iterable<IService>>)[Symbol.iterator] === "function") {
    for (const child of root as unknown as Iterable<IService>)
      visit(child, child.name ?? root.name);
  } else visit(root, root.name);
  return count;
}

/**
 * Runs `root` and serves its metrics and health:
 *
 * - start: listen on the metrics endpoint (`/readyz` 503), start `root`, then `/readyz` 200;
 * - stop: `/healthz` and `/readyz` 503 at once, wait `grace` seconds, stop `root` (ports close,
 *   connections drain), then stop the metrics listener.
 *
 * `twist` wraps its root in one when given `--metrics` (see {@link withMetrics}).
 */
export class MetricsService extends MultiService {
  /** What `/healthz` and `/readyz` report. */
  readonly health: HealthState = new HealthState();
  /** The connection metrics of `root`'s endpoint services. */
  readonly connections: ConnectionMetrics;
  /** Everything `/metrics` serves. */
  readonly registry: Registry;
  /** The application's service tree. */
  readonly root: IService;
  /** The HTTP listener's service (`null` without an endpoint). */
  readonly http: StreamServerEndpointService | null;
  readonly #reactor: IReactorTime;
  readonly #grace: number;

  constructor(root: IService, options: MetricsServiceOptions) {
    super();
    this.name = root.name;
    this.root = root;
    this.#reactor = options.clock ?? options.reactor;
    this.#grace = options.grace ?? DEFAULT_METRICS_GRACE;
    this.connections = new ConnectionMetrics();
    if (options.defaultMetrics ?? true)
      collectDefaultMetrics({ register: this.connections.registry });
    this.registry = Registry.merge([
      this.connections.registry,
      options.extraRegistry ?? pluginMetricsRegistry(),
    ]);
    instrumentServices(root, this.connections);
    const health = this.health;
    const routes = new Map<string, HTTPRoute>([
      [
        "/metrics",
        async () => ({
          status: 200,
          contentType: this.registry.contentType,
          body: await this.registry.metrics(),
        }),
      ],
      [
        "/healthz",
        () => (health.healthy ? textResponse(200, "ok\n") : textResponse(503, "shutting down\n")),
      ],
      [
        "/readyz",
        () =>
          health.ready && !health.stopping
            ? textResponse(200, "ready\n")
            : textResponse(503, health.stopping ? "shutting down\n" : "starting\n"),
      ],
    ]);
    const endpoint = options.endpoint;
    this.http =
      endpoint === null
        ? null
        : new StreamServerEndpointService(
            serverFromString(options.reactor, endpoint),
            new HTTPResponderFactory(routes, options.reactor),
            {
              description: endpoint,
              logConnections: false,
              clock: options.reactor,
              drainTimeout: 1,
            },
          );
    if (this.http !== null) {
      this.http.name = "metrics";
      this.http.setServiceParent(this);
    }
    // The tree is [http, root] so that tools walking services (drain timeouts) reach root's.
    root.setServiceParent(this);
  }

  override privilegedStartService(): void {
    this.root.privilegedStartService();
  }

  override startService(): Deferred<void> {
    return super.startService().addCallback(() => {
      this.health.ready = true;
      if (this.http !== null)
        log.info("Serving metrics and health on {endpoint}", { endpoint: this.http.description });
    });
  }

  override stopService(): Deferred<void> {
    const wasRunning = this.running;
    this.running = false;
    this.health.stopping = true;
    if (!wasRunning) return succeed(undefined);
    log.info("Shutting down: /healthz answers 503; waiting {grace} s before closing ports", {
      grace: this.#grace,
    });
    return deferLater(this.#reactor, this.#grace, () => undefined)
      .addCallback(() =>
        this.root.running ? maybeDeferred(() => this.root.stopService()) : undefined,
      )
      .addErrback((f) => {
        log.failure("Error stopping {service}", f, { service: String(this.root) });
      })
      .addCallback(() =>
        this.http?.running ? maybeDeferred(() => this.http?.stopService()) : undefined,
      ) as Deferred<void>;
  }
}

/**
 * `twist --metrics <endpoint>`: the runner calls `root = withMetrics(root, { endpoint, reactor })`
 * before starting `root`.
 */
export function withMetrics(root: IService, options: MetricsServiceOptions): MetricsService {
  return new MetricsService(root, options);
}
