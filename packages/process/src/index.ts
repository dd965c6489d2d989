/**
 * `@torsion/process`: child processes after Twisted — {@link ProcessProtocol},
 * {@link spawnProcess}, the output helpers of `twisted.internet.utils`, {@link StandardIO} and
 * the `stdio:` endpoint ({@link StandardIOEndpoint}).
 *
 * @module
 */

export type { SignalLike } from "./errors.ts";
export {
  ProcessDone,
  ProcessExitedAlready,
  ProcessKilled,
  ProcessSpawnError,
  ProcessTerminated,
  UnexpectedErrorOutput,
} from "./errors.ts";
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
export type { StandardIOEndpointOptions } from "./stdio-endpoint.ts";
export {
  parseStandardIOServer,
  registerStandardIOEndpoint,
  StandardIOEndpoint,
} from "./stdio-endpoint.ts";
export { StandardIO } from "./stdio.ts";
