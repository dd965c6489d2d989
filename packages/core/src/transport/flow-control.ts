/**
 * Flow control for stream connections: Netty's write-buffer water marks applied for the user,
 * and a hard ceiling on unsent data.
 *
 * A server protocol that writes what it reads (echo, a line protocol answering each line) has
 * its reading paused while its peer does not read, so a peer that sends fast and never reads
 * cannot make the server buffer without bound. Clients do not pause by default: a bulk-writing
 * client that paused its reading could deadlock with such a server (each waiting for the
 * other to read); a client can opt in.
 *
 * @module
 */
import { UnsentDataLimitExceeded } from "../errors.ts";

export { UnsentDataLimitExceeded };

/**
 * How a connection bounds what it has written but not yet sent. Set per factory (a
 * `flowControl` property read when each connection starts) or per transport
 * ({@link IFlowControlledTransport.setFlowControl}); unset fields keep their defaults.
 */
export interface FlowControlOptions {
  /**
   * Stop reading from the socket while the write buffer is past {@link highWaterMark}, when no
   * producer is registered (a registered producer keeps Twisted's contract: it is paused
   * instead and reading is left alone). Default: `true` for connections accepted by a
   * listening port, `false` for client connections.
   */
  pauseReading?: boolean;
  /** Bytes of unsent data past which reading stops. Default {@link DEFAULT_HIGH_WATER_MARK} (64 KiB). */
  highWaterMark?: number;
  /**
   * Bytes of unsent data at or below which reading resumes. Default
   * {@link DEFAULT_LOW_WATER_MARK} (32 KiB). The check is made each time a chunk written past
   * this mark has been handed to the kernel (its write callback), and at `drain`. On the native
   * transport that is chunk by chunk; `net.Socket` sends the chunks queued behind a pending
   * write as one `writev` and reports them together, so on the portable transport reading may
   * resume only once such a batch is sent, at worst once the buffer is empty.
   */
  lowWaterMark?: number;
  /**
   * Hard ceiling on unsent data: a write that leaves more than this queued aborts the
   * connection with {@link UnsentDataLimitExceeded} (logged). `Infinity` turns it off.
   * Default {@link DEFAULT_MAX_UNSENT} (64 MiB).
   *
   * Both marks and the ceiling are checked when a write finds the socket's own buffer full
   * (Node's `net.Socket`: 16 KiB), so values below that act as that.
   */
  maxUnsent?: number;
}

/** {@link FlowControlOptions} with every field set. */
export type FlowControl = Readonly<Required<FlowControlOptions>>;

/** Default high-water mark of the write buffer (Netty's): 64 KiB. */
export const DEFAULT_HIGH_WATER_MARK: number = 64 * 1024;
/** Default low-water mark of the write buffer (Netty's): 32 KiB. */
export const DEFAULT_LOW_WATER_MARK: number = 32 * 1024;
/** Default ceiling on a connection's unsent data: 64 MiB. */
export const DEFAULT_MAX_UNSENT: number = 64 * 1024 * 1024;

/** The defaults of a connection accepted by a listening port: reading pauses. */
export const SERVER_FLOW_CONTROL: FlowControl = Object.freeze({
  pauseReading: true,
  highWaterMark: DEFAULT_HIGH_WATER_MARK,
  lowWaterMark: DEFAULT_LOW_WATER_MARK,
  maxUnsent: DEFAULT_MAX_UNSENT,
});

/** The defaults of a client connection: reading never pauses by itself. */
export const CLIENT_FLOW_CONTROL: FlowControl = Object.freeze({
  ...SERVER_FLOW_CONTROL,
  pauseReading: false,
});

/** A transport whose flow control can be changed while connected (every stream transport). */
export interface IFlowControlledTransport {
  /** The flow control in force. */
  readonly flowControl: FlowControl;
  /**
   * Change some of the settings (the others stay). A server protocol turns pausing off with
   * `setFlowControl({ pauseReading: false })`; a client opts in with `{ pauseReading: true }`.
   *
   * @throws RangeError if a mark is negative or not a number, or `lowWaterMark > highWaterMark`.
   */
  setFlowControl(options: FlowControlOptions): void;
}

/** `true` if `transport` supports {@link IFlowControlledTransport.setFlowControl}. */
export function hasFlowControl(transport: unknown): transport is IFlowControlledTransport {
  return (
    typeof transport === "object" &&
    transport !== null &&
    typeof (transport as { setFlowControl?: unknown }).setFlowControl === "function"
  );
}

/**
 * Merge `options` over `base`, checking them.
 *
 * @throws RangeError on a negative or non-numeric mark, or `lowWaterMark > highWaterMark`.
 */
export function resolveFlowControl(
  base: FlowControl,
  options: FlowControlOptions | undefined,
): FlowControl {
  if (options === undefined) return base;
  const merged = { ...base };
  if (options.pauseReading !== undefined) merged.pauseReading = options.pauseReading;
  if (options.highWaterMark !== undefined) merged.highWaterMark = options.highWaterMark;
  if (options.lowWaterMark !== undefined) merged.lowWaterMark = options.lowWaterMark;
  if (options.maxUnsent !== undefined) merged.maxUnsent = options.maxUnsent;
  for (const key of ["highWaterMark", "lowWaterMark", "maxUnsent"] as const) {
    const v = merged[key];
    if (typeof v !== "number" || Number.isNaN(v) || v < 0)
      throw new RangeError(`${key} must be a number >= 0, not ${String(v)}`);
  }
  if (merged.lowWaterMark > merged.highWaterMark)
    throw new RangeError(
      `lowWaterMark (${merged.lowWaterMark}) must not exceed highWaterMark (${merged.highWaterMark})`,
    );
  return Object.freeze(merged);
}

/** The `flowControl` a factory declares, if any (wrapping factories forward it). */
export function factoryFlowControl(factory: unknown): FlowControlOptions | undefined {
  const f = factory as { flowControl?: FlowControlOptions } | null;
  return f?.flowControl;
}
