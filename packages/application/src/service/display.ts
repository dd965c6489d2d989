/**
 * How start-up lines name a service and its address: `Service echo listening on
 * tcp:127.0.0.1:8007`.
 *
 * @module
 */
import type { IAddress } from "@torsion/core";
import type { IService } from "./service.ts";

/** The name of `service` or of its nearest named ancestor, else `fallback`. */
export function displayName(service: IService, fallback: string): string {
  for (let s: IService | null = service; s !== null; s = s.parent as IService | null)
    if (s.name !== null) return s.name;
  return fallback;
}

/** The full address, as an endpoint string would name it: `tcp:127.0.0.1:8007`, `unix:/run/s`. */
export function formatAddress(address: IAddress): string {
  const a = address as { type: string; host?: unknown; port?: unknown; name?: unknown };
  const type = a.type.toLowerCase();
  if (typeof a.host === "string") {
    const host = a.host.includes(":") ? `[${a.host}]` : a.host;
    return `${type}:${host}:${String(a.port)}`;
  }
  if (typeof a.name === "string") return `${type}:${a.name}`;
  return type === "unix" ? "unix:(unnamed)" : String(address);
}
