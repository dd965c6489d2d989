/**
 * The one place `twist`'s per-server options reach the services: after the tree is made (by a
 * plugin, a config file or an `--app` module), every listening service that left a setting
 * unset gets the runner's value.
 *
 * @module
 */
import { StandardIOEndpoint } from "@torsion/process";
import { StreamServerEndpointService } from "../service/endpoint-service.ts";
import type { IService } from "../service/service.ts";

/** The runner's settings for every listening service (see `twist --help` for the defaults). */
export interface ServerDefaults {
  /** `--shutdown-timeout`: seconds open connections may finish after a stop. */
  drainTimeout: number;
  /** `--idle-timeout`: seconds idle before a connection is closed; `null` for never. */
  idleTimeout: number | null;
  /** `--max-connections`: the most open at once per service; `null` for no limit. */
  maxConnections: number | null;
  /** `--max-connections-per-peer`: the most open at once from one host; `null` for no limit. */
  maxConnectionsPerPeer: number | null;
}

/** Every service in the tree under `root` (`root` first). */
export function* walkServices(root: IService): Generator<IService> {
  yield root;
  if (typeof (root as Partial<Iterable<IService>>)[Symbol.iterator] === "function") {
    for (const child of root as unknown as Iterable<IService>) yield* walkServices(child);
  }
}

/**
 * Give each {@link StreamServerEndpointService} under `root` the settings it left unset.
 *
 * @returns How many listening services there are.
 */
export function applyServerDefaults(root: IService, defaults: ServerDefaults): number {
  let count = 0;
  for (const s of walkServices(root)) {
    if (!(s instanceof StreamServerEndpointService)) continue;
    count++;
    s.drainTimeout ??= defaults.drainTimeout;
    if (s.idleTimeout === undefined) s.idleTimeout = defaults.idleTimeout;
    if (s.maxConnections === undefined) s.maxConnections = defaults.maxConnections;
    if (s.maxConnectionsPerPeer === undefined)
      s.maxConnectionsPerPeer = defaults.maxConnectionsPerPeer;
  }
  return count;
}

/**
 * Whether a listening service under `root` serves on the process's standard input and output
 * (a `stdio:` endpoint), so `twist` must not log to standard output.
 */
export function servesStandardIO(root: IService): boolean {
  for (const s of walkServices(root)) {
    if (!(s instanceof StreamServerEndpointService)) continue;
    if (/^stdio(:|$)/i.test(s.description ?? "")) return true;
    if (s.endpoint instanceof StandardIOEndpoint) return true;
  }
  return false;
}
