/**
 * `FramedProtocol`: a protocol that receives frames, the driver under every receiver here.
 *
 * @module
 */
import type { IPushProducer, ITCPTransport, ITransport } from "@torsion/core";
import { Failure, Logger, Protocol } from "@torsion/core";
import { containRejection, type HookResult } from "./callback-failure.ts";
import type { Accumulator } from "./framing/accumulator.ts";
import type { DecodeError, Decoder } from "./framing/decoder.ts";
import { FrameDriver, type FrameSink } from "./framing/frame-driver.ts";

const EMPTY: Buffer = Buffer.alloc(0);
const defaultLog = new Logger("torsion.basic.FramedProtocol");

/** `transport.disconnecting`, for transports that have it (Twisted's `ITCPTransport`). */
export function isDisconnecting(transport: ITransport): boolean {
  return (transport as Partial<ITCPTransport>).disconnecting === true;
}

/**
 * A protocol that receives frames cut by a {@link Decoder} (after tokio-util's `Framed` and
 * Netty's `ByteToMessageDecoder`): give it a decoder with {@link FramedProtocol.currentDecoder}
 * and handle each frame in {@link FramedProtocol.frameReceived}. `LineReceiver`,
 * `LineOnlyReceiver`, `NetstringReceiver` and the `Int*StringReceiver`s are thin subclasses.
 *
 * ```ts
 * class Records extends FramedProtocol<Buffer> {
 *   readonly #decoder = new IntPrefixDecoder({ prefixLength: 2 });
 *   protected override currentDecoder() { return this.#decoder; }
 *   protected override frameReceived(record: Buffer): void { console.log(record.length); }
 * }
 * ```
 *
 * The driver owns what every framing protocol needs, once:
 * - the receive buffer and the decode loop, linear in the bytes received;
 * - pausing: as a push producer, {@link FramedProtocol.pauseProducing} holds back frames
 *   already received and pauses the transport; {@link FramedProtocol.resumeProducing}
 *   delivers them;
 * - no frame is delivered once the transport is disconnecting (after `loseConnection()` or
 *   `abortConnection()`); the bytes stay buffered;
 * - a {@link DecodeError} goes to {@link FramedProtocol.frameDecodeFailed} (default: log it
 *   and close the connection), then delivery stops until more data arrives;
 * - the decoder contract: a decoder that returns a frame without consuming input throws
 *   {@link DecoderContractError} out of `dataReceived` (the transport logs it and aborts the
 *   connection) instead of looping forever.
 *
 * Hooks may be `async`: a rejected promise is handled like a thrown exception, logged with the
 * connection's log prefix and that connection aborted. Frames are not held back while a
 * promise is pending (as in Twisted, which does not wait for a Deferred a hook returns); pause
 * the protocol from the hook to do that.
 */
export abstract class FramedProtocol<Frame> extends Protocol implements IPushProducer {
  /** `true` while paused by {@link FramedProtocol.pauseProducing} or stopped. */
  paused = false;

  readonly #driver: FrameDriver<Frame> = new FrameDriver<Frame>(this.#sink());

  /**
   * The decoder for the next frame. Asked before every frame, so a subclass can change its
   * framing between two frames (as `LineReceiver` does for raw mode); return the same
   * instance while the framing is unchanged (a decoder may keep scan state).
   */
  protected abstract currentDecoder(): Decoder<Frame>;

  /** One frame. May be `async`. */
  protected abstract frameReceived(frame: Frame): HookResult;

  /**
   * The decoder found bytes that can never form a frame; they are still in
   * {@link FramedProtocol.receiveBuffer}. Take what you report: whatever the hook leaves
   * untaken is dropped. The default logs the error at `warn` (the peer misbehaved) and closes
   * the connection.
   */
  protected frameDecodeFailed(error: DecodeError): HookResult {
    defaultLog.failure(
      "Closing {protocol}: {error}",
      new Failure(error),
      { protocol: this.logPrefix(), error: error.message },
      "warn",
    );
    this.transport.loseConnection();
  }

  /** The bytes received and not yet delivered as frames. */
  protected get receiveBuffer(): Accumulator {
    return this.#driver.input;
  }

  override dataReceived(data: Buffer): void {
    this.#driver.receive(data);
  }

  /** Stop delivering frames and pause the transport. */
  pauseProducing(): void {
    this.paused = true;
    (this.transport as Partial<IPushProducer>).pauseProducing?.();
  }

  /** Resume the transport and deliver the frames held back. */
  resumeProducing(): void {
    this.paused = false;
    (this.transport as Partial<IPushProducer>).resumeProducing?.();
    this.#driver.receive(EMPTY);
  }

  /** Stop delivering for good and stop the transport. */
  stopProducing(): void {
    this.paused = true;
    (this.transport as Partial<IPushProducer>).stopProducing?.();
  }

  #sink(): FrameSink<Frame> {
    return {
      nextDecoder: () => this.currentDecoder(),
      canDeliver: () => !this.paused && !(this.hasTransport && isDisconnecting(this.transport)),
      frame: (frame) => containRejection(this, this.frameReceived(frame), "frameReceived"),
      decodeFailed: (error) =>
        containRejection(this, this.frameDecodeFailed(error), "frameDecodeFailed"),
    };
  }
}
