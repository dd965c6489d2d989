/**
 * `@torsion/process`: child processes after Twisted — {@link ProcessProtocol},
 * {@link spawnProcess}, the output helpers of `twisted.internet.utils`, and {@link StandardIO}.
 *
 * @module
 */

export type { ChildFDs, IProcessProtocol, IProcessTransport, ProcessSignal } from "./interfaces.ts";
export type {
  GetProcessOutputAndValueOptions,
  GetProcessOutputOptions,
  ProcessOutputOptions,
} from "./output.ts";
export {
  DEFAULT_MAX_BUFFER,
  getProcessOutput,
  getProcessOutputAndValue,
  getProcessValue,
  OutputLimitExceeded,
} from "./output.ts";
export type { SpawnProcessOptions } from "./process.ts";
export { ProcessTransport, spawnProcess } from "./process.ts";
export { DEFAULT_KILL_TIMEOUT } from "./shutdown.ts";
export { ProcessProtocol } from "./process-protocol.ts";
export type { StandardIOOptions } from "./stdio.ts";
export { PipeAddress, StandardIO } from "./stdio.ts";
