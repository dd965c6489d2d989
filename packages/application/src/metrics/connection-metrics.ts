/**
 * {@link ConnectionMetrics}: the per-service connection counters `twist --metrics` serves, on a
 * prom-client registry of their own (so several can live in one process, as in tests).
 *
 * @module
 */
import { Counter, Gauge, Registry } from "prom-client";

/** The counters of one listening endpoint of one service (the label values are fixed). */
export interface EndpointCounters {
  /** A connection was made (its protocol was built and connected). */
  opened(): void;
  /** A connection closed; `reason` is the error's name when it was not a clean close. */
  closed(reason: string | null): void;
  /** The factory refused a connection (`buildProtocol` returned `null`). */
  refused(): void;
  /** Bytes read from a connection. */
  received(bytes: number): void;
  /** Bytes written to a connection. */
  sent(bytes: number): void;
}

const labelNames = ["service", "endpoint"] as const;

/**
 * The metrics of every service's endpoints, registered on {@link ConnectionMetrics.registry}:
 *
 * - `torsion_connections_open` (gauge), `torsion_connections_total`,
 *   `torsion_connections_refused_total`, `torsion_bytes_received_total`,
 *   `torsion_bytes_sent_total`, all with labels `service` and `endpoint`;
 * - `torsion_connection_errors_total` with `service`, `endpoint` and `reason` (the name of the
 *   error a connection ended with: `ConnectionLost`, `ConnectionAborted`, …).
 */
export class ConnectionMetrics {
  /** Where the metrics are registered. */
  readonly registry: Registry;
  readonly #open: Gauge<"service" | "endpoint">;
  readonly #total: Counter<"service" | "endpoint">;
  readonly #refused: Counter<"service" | "endpoint">;
  readonly #received: Counter<"service" | "endpoint">;
  readonly #sent: Counter<"service" | "endpoint">;
  readonly #errors: Counter<"service" | "endpoint" | "reason">;

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.#open = new Gauge({
      name: "torsion_connections_open",
      help: "Connections open now",
      labelNames,
      registers,
    });
    this.#total = new Counter({
      name: "torsion_connections_total",
      help: "Connections accepted and handed to a protocol",
      labelNames,
      registers,
    });
    this.#refused = new Counter({
      name: "torsion_connections_refused_total",
      help: "Connections the factory refused (connection limits)",
      labelNames,
      registers,
    });
    this.#received = new Counter({
      name: "torsion_bytes_received_total",
      help: "Bytes received from clients",
      labelNames,
      registers,
    });
    this.#sent = new Counter({
      name: "torsion_bytes_sent_total",
      help: "Bytes written to clients",
      labelNames,
      registers,
    });
    this.#errors = new Counter({
      name: "torsion_connection_errors_total",
      help: "Connections that ended with an error, by the error's name",
      labelNames: [...labelNames, "reason"],
      registers,
    });
  }

  /** The counters for `endpoint` of `service` (created at zero, so they show before any traffic). */
  forEndpoint(service: string, endpoint: string): EndpointCounters {
    const labels = { service, endpoint };
    const open = this.#open.labels(labels);
    const total = this.#total.labels(labels);
    const refused = this.#refused.labels(labels);
    const received = this.#received.labels(labels);
    const sent = this.#sent.labels(labels);
    for (const c of [total, refused, received, sent]) c.inc(0);
    open.set(0);
    return {
      opened: () => {
        open.inc();
        total.inc();
      },
      closed: (reason) => {
        open.dec();
        if (reason !== null) this.#errors.labels({ ...labels, reason }).inc();
      },
      refused: () => refused.inc(),
      received: (n) => received.inc(n),
      sent: (n) => sent.inc(n),
    };
  }
}
