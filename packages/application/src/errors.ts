/**
 * The errors of `@torsion/application`. Each carries a stable `code` a program can branch on,
 * and a message a person can act on.
 *
 * @module
 */
import { TorsionError } from "@torsion/core";

/** The stable codes of {@link PluginError}. */
export type PluginErrorCode =
  /** No installed package declares a plugin of that name. */
  | "ERR_TORSION_PLUGIN_NOT_FOUND"
  /** The package's `torsion.plugins` metadata is malformed, or its module cannot be resolved. */
  | "ERR_TORSION_PLUGIN_METADATA"
  /** The plugin's module failed to import. */
  | "ERR_TORSION_PLUGIN_IMPORT"
  /** The module's default export is not a service maker. */
  | "ERR_TORSION_PLUGIN_SHAPE"
  /** The plugin's `peerDependencies["@torsion/application"]` does not accept this runner. */
  | "ERR_TORSION_PLUGIN_INCOMPATIBLE";

/** A plugin could not be found, loaded, or accepted. The message names the package. */
export class PluginError extends TorsionError {
  /** Which of the ways a plugin is refused this is. */
  readonly code: PluginErrorCode;
  /** The package the plugin comes from, when known. */
  readonly packageName: string | undefined;

  constructor(
    code: PluginErrorCode,
    message: string,
    packageName?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.code = code;
    this.packageName = packageName;
  }
}

/**
 * The command line (or a config file) asks for something impossible: an unknown option, a
 * missing value, an endpoint description that does not parse. `twist` exits 64 (`EX_USAGE`).
 */
export class UsageError extends TorsionError {
  /** Always `"ERR_TORSION_USAGE"`. */
  readonly code: "ERR_TORSION_USAGE" = "ERR_TORSION_USAGE";
}

/**
 * A service failed to start. The services started before it have been stopped again; the
 * original error is the `cause`.
 */
export class ServiceStartError extends TorsionError {
  /** Always `"ERR_TORSION_SERVICE_START"`. */
  readonly code: "ERR_TORSION_SERVICE_START" = "ERR_TORSION_SERVICE_START";
  /** The name (or description) of the service that failed. */
  readonly service: string;

  constructor(service: string, cause: unknown) {
    super(`Service ${service} failed to start: ${describeReason(cause)}`, { cause });
    this.service = service;
  }
}

/** The pid file names a process that is still running (Twisted's `AlreadyRunningError`). */
export class AlreadyRunningError extends TorsionError {
  /** Always `"ERR_TORSION_ALREADY_RUNNING"`. */
  readonly code: "ERR_TORSION_ALREADY_RUNNING" = "ERR_TORSION_ALREADY_RUNNING";
}

/** The pid file holds something other than a process id (Twisted's `InvalidPIDFileError`). */
export class InvalidPIDFileError extends TorsionError {
  /** Always `"ERR_TORSION_INVALID_PIDFILE"`. */
  readonly code: "ERR_TORSION_INVALID_PIDFILE" = "ERR_TORSION_INVALID_PIDFILE";
}

/** The message of an error (or a Failure's error), without its stack. */
export function describeReason(reason: unknown): string {
  const value = (reason as { value?: unknown } | null)?.value ?? reason;
  if (value instanceof ServiceStartError) return value.message;
  if (value instanceof Error) return value.message || value.name;
  return String(value);
}
