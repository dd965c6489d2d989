/**
 * The options every server plugin of this package shares. The plugin contract allows type
 * imports only from `@torsion/application` (an optional peer dependency), so these few lines
 * live in each protocol package.
 *
 * @module
 */
import type { StringListOption, StringOption } from "@torsion/application";
import { DatagramGuard } from "@torsion/core";

/** The `listen` option of every server plugin, defaulting to `tcp:<port>`. */
export function listenOption(port: number): StringListOption {
  return {
    type: "string",
    multiple: true,
    short: "l",
    default: [`tcp:${port}`],
    description: "Endpoint to listen on (repeatable)",
  };
}

/** The `udp` option of every server plugin: `PORT`, `HOST:PORT` or `[IPv6]:PORT`, none by default. */
export function udpOption(): StringListOption {
  return {
    type: "string",
    multiple: true,
    short: "u",
    default: [],
    description: "Also serve on this UDP address: PORT or HOST:PORT (repeatable)",
  };
}

/** The `udp-rate` option of every server plugin with UDP: answers a second per source host. */
export function udpRateOption(): StringOption {
  return {
    type: "string",
    default: String(DatagramGuard.defaults.ratePerSource),
    description: "UDP answers per second per source host, bursts of twice that (0: no limit)",
  };
}
