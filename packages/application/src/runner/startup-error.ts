/**
 * {@link StartupError}: what stops `twist` before its services run, other than a usage error.
 *
 * @module
 */
import { TorsionError } from "@torsion/core";

/**
 * `twist` could not start: a plugin failed to make its service, the log file or pid file
 * cannot be written, a service did not start. The message says what to do; `twist` prints it
 * as one `twist:` line and exits 1.
 */
export class StartupError extends TorsionError {
  /** Always `"ERR_TORSION_STARTUP"`. */
  readonly code: "ERR_TORSION_STARTUP" = "ERR_TORSION_STARTUP";
}
