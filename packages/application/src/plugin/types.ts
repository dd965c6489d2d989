/**
 * The plugin contract: what a plugin package's module default-exports ({@link ServiceMaker}),
 * and what the runner hands it ({@link ServiceMakerHelpers}).
 *
 * A plugin package declares itself in its `package.json`:
 *
 * ```json
 * "torsion": { "plugins": [{ "name": "echo", "description": "An echo server (RFC 862).", "module": "./plugin" }] }
 * ```
 *
 * where `module` is a subpath of the package's `exports`, and lists
 * `"peerDependencies": { "@torsion/application": "^0.1.0" }` (the runner refuses a mismatch). It
 * imports only types from `@torsion/application`:
 *
 * ```ts
 * import type { ServiceMaker } from "@torsion/application";
 * const options = { listen: { type: "string", multiple: true, short: "l", default: ["tcp:8007"], description: "Endpoint to listen on (repeatable)" } } as const;
 * export default {
 *   name: "echo",
 *   description: "An echo server (RFC 862).",
 *   options,
 *   makeService(opts, { listen, combine }) {
 *     return combine(opts.listen.map((d) => listen(d, Factory.forProtocol(Echo))));
 *   },
 * } satisfies ServiceMaker<typeof options>;
 * ```
 *
 * @module
 */
import type {
  IDatagramProtocol,
  IProtocolFactory,
  IReactor,
  ListenUDPOptions,
  Logger,
} from "@torsion/core";
import type { Registry } from "prom-client";
import type { IService } from "../service/service.ts";

/** One option, in the shape of `node:util` `parseArgs` plus a description. */
export interface PluginOption {
  /** A string value, or a flag. */
  type: "string" | "boolean";
  /** A one-letter alias (`-l`). */
  short?: string;
  /** May be repeated; the value is then an array. */
  multiple?: boolean;
  /** The value when not given. */
  default?: string | boolean | readonly string[] | readonly boolean[];
  /** Help text, shown by `twist <plugin> --help`. */
  description: string;
}

/** A repeatable string option (`--listen a --listen b`): parsed as `string[]`. */
export type StringListOption = PluginOption & {
  type: "string";
  multiple: true;
  default: readonly string[];
};
/** A string option with a default: parsed as `string`. */
export type StringOption = PluginOption & { type: "string"; multiple?: false; default: string };
/** A string option without a default: parsed as `string | undefined`. */
export type OptionalStringOption = PluginOption & {
  type: "string";
  multiple?: false;
  default?: undefined;
};
/** A flag: parsed as `boolean`. */
export type BooleanOption = PluginOption & { type: "boolean"; multiple?: false; default?: boolean };

/** A plugin's options by long name (`listen` is `--listen`). */
export type PluginOptions = Record<string, PluginOption>;

/** The value one option parses to. */
export type ParsedOption<T extends PluginOption> = T extends { type: "boolean" }
  ? T extends { multiple: true }
    ? boolean[]
    : boolean
  : T extends { multiple: true }
    ? string[]
    : string;

/**
 * The parsed values, typed from the spec: a `multiple` option is always an array (empty when
 * not given), a single flag always a boolean (`false` when not given), a single string option
 * a string when it has a default and `string | undefined` otherwise.
 */
export type ParsedOptions<O extends PluginOptions> = {
  [K in keyof O]: O[K] extends { multiple: true }
    ? ParsedOption<O[K]>
    : O[K] extends { type: "boolean" }
      ? boolean
      : O[K] extends { default: string }
        ? string
        : string | undefined;
};

/** What the runner gives `makeService`, so plugins need no runtime import of this package. */
export interface ServiceMakerHelpers {
  /** The running reactor. */
  reactor: IReactor;
  /**
   * Twisted's `strports.service`: a service listening on `description` with `factory`.
   *
   * @throws EndpointDescriptionError if the description does not parse (`twist` exits 64).
   */
  listen(description: string, factory: IProtocolFactory): IService;
  /**
   * Twisted's `internet.UDPServer`: a service that binds `protocol` to a UDP port while it runs.
   * `address` is a port number (bound on `options.interface`, default every IPv4 interface) or
   * `PORT`, `HOST:PORT`, `[IPv6]:PORT` (the host an IP address).
   *
   * @throws EndpointDescriptionError if `address` does not parse (`twist` exits 64).
   */
  listenUDP(
    address: number | string,
    protocol: IDatagramProtocol,
    options?: ListenUDPOptions,
  ): IService;
  /** A logger namespaced to the plugin. */
  logger: Logger;
  /**
   * The prom-client registry for the plugin's own metrics, served by `twist --metrics` beside
   * Torsion's (`registers: [metrics]`); prefix metric names with the plugin's name.
   */
  metrics: Registry;
  /**
   * One service made of several (a `MultiService`): they start in order and stop in reverse.
   * A single service is returned as is.
   */
  combine(services: readonly IService[]): IService;
}

/** What a plugin's module default-exports (Twisted's `IServiceMaker`). */
export interface ServiceMaker<O extends PluginOptions = PluginOptions> {
  /** The plugin's name: `twist <name>`. */
  name: string;
  /** One line for `twist --help`. */
  description: string;
  /** The options `twist <name>` accepts. */
  options: O;
  /** Make the service to run from the parsed options. */
  makeService(
    options: ParsedOptions<O>,
    helpers: ServiceMakerHelpers,
  ): IService | Promise<IService>;
}

/**
 * Identity function that infers the options' types: `export default defineServiceMaker({ … })`.
 * Protocol packages use `satisfies ServiceMaker<typeof options>` instead, to keep
 * `@torsion/application` a type-only (peer) dependency.
 */
export function defineServiceMaker<const O extends PluginOptions>(
  maker: ServiceMaker<O>,
): ServiceMaker<O> {
  return maker;
}
