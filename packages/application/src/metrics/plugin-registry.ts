/**
 * The registry plugins add their own metrics to.
 *
 * @module
 */
import { Registry } from "prom-client";

let registry: Registry | undefined;

/**
 * The process's registry for plugins' own metrics: `twist --metrics` serves it beside
 * Torsion's. A plugin gets it as `helpers.metrics` in `makeService`:
 *
 * ```ts
 * makeService(opts, { listen, metrics }) {
 *   const quotes = new Counter({ name: "qotd_quotes_total", help: "Quotes served", registers: [metrics] });
 *   …
 * }
 * ```
 *
 * A metric name can be registered once per process; plugins should prefix theirs with their name.
 */
export function pluginMetricsRegistry(): Registry {
  registry ??= new Registry();
  return registry;
}
