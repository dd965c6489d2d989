/**
 * `FramedProtocol`: a protocol that receives frames, the driver under every receiver here.
 *
 * @module
 */
import type { IPushProducer, ITCPTransport, ITransport } from "@torsion/core";
import { Failure, Logger, Protocol } from "@torsion/core";
import { containRejection, type HookResult } from "./callback-failure.ts";
import { Accumulator } from "./framing/accumulator.ts";
import {
  DecodeError,
  type Decoder,
  DecoderContractError,
  IncompleteFrameError,
} from "./framing/decoder.ts";

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
 * `LineOnlyReceiver`, `NetstringReceiver` and the `Int*StringReceiver`s are thin subclasses,
 * and `DecoderTransform` runs one, so there is one decode loop in the package.
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
 *   and close the connection), then delivery stops until more data arrives; bytes the hook
 *   leaves buffered are dropped, so bad input cannot pile up;
 * - re-entrancy: data received from inside a hook (a mode switch handing back bytes, a
 *   synchronous echo, `resumeProducing`) is queued and delivered by the loop already running,
 *   so there is no recursion whatever the hooks do;
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

  readonly #input: Accumulator = new Accumulator();
  #busy = false;
  /** Set by {@link FramedProtocol.framingChanged}: ask for the decoder again before the next frame. */
  #reframe = false;

  /**
   * The decoder to use. Asked when a batch of received data starts being decoded and again
   * after {@link FramedProtocol.framingChanged}, so a subclass can change its framing between
   * two frames (as `LineReceiver` does for raw mode); return the same instance while the
   * framing is unchanged (a decoder may keep scan state).
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

  /**
   * Say that {@link FramedProtocol.currentDecoder} would now return another decoder (a mode
   * switch, a new limit): it is asked again before the next frame, even in the middle of a
   * chunk. Without this call, a change takes effect with the next data received.
   */
  protected framingChanged(): void {
    this.#reframe = true;
  }

  /** The bytes received and not yet delivered as frames. */
  protected get receiveBuffer(): Accumulator {
    return this.#input;
  }

  /**
   * Buffer `data` and deliver every frame that can be delivered now.
   *
   * @throws {@link DecoderContractError} when the decoder returned a frame without consuming
   *   input; whatever a hook throws (the transport logs it and aborts the connection).
   */
  override dataReceived(data: Buffer): void {
    const input = this.#input;
    input.push(data);
    if (this.#busy) return;
    this.#busy = true;
    try {
      this.#deliver(input);
    } finally {
      this.#busy = false;
    }
  }

  /**
   * End of input (for framing a finite stream): hand what the decoder's `decodeEof` makes of
   * the leftover bytes to {@link FramedProtocol.frameReceived}, or report
   * {@link IncompleteFrameError} to {@link FramedProtocol.frameDecodeFailed} when the decoder
   * has no `decodeEof`.
   */
  protected endOfFrames(): void {
    const input = this.#input;
    if (input.length === 0) return;
    const decoder = this.currentDecoder();
    const before = input.consumed;
    let last: Frame | undefined;
    try {
      if (decoder.decodeEof === undefined) throw new IncompleteFrameError(input.length);
      last = decoder.decodeEof(input);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      this.#decodeFailed(err, before);
      return;
    }
    if (last !== undefined) containRejection(this, this.frameReceived(last), "frameReceived");
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
    this.dataReceived(EMPTY);
  }

  /** Stop delivering for good and stop the transport. */
  stopProducing(): void {
    this.paused = true;
    (this.transport as Partial<IPushProducer>).stopProducing?.();
  }

  /** The one decode loop (Netty's `callDecode`): decode and deliver while nothing stops it. */
  #deliver(input: Accumulator): void {
    // The transport cannot change during one batch; its `disconnecting` can (a hook closes).
    // Read directly, not through `isDisconnecting`: this loop runs once per frame, and what it
    // calls shares its inlining budget with the decoder and the hook.
    const transport = (this.hasTransport ? this.transport : undefined) as
      | Partial<ITCPTransport>
      | undefined;
    // One try around the loop rather than one per frame (measurably cheaper on the line hot
    // path); `decoding` tells a decoder's error from one a hook throws, which propagates.
    let decoding = false;
    let before = 0;
    try {
      // Asked once per batch, and again only when told the framing changed: once per frame
      // would cost every tiny frame a call and the subclass's checks.
      let decoder = this.currentDecoder();
      this.#reframe = false;
      while (!this.paused && transport?.disconnecting !== true) {
        if (this.#reframe) {
          this.#reframe = false;
          decoder = this.currentDecoder();
        }
        before = input.consumed;
        decoding = true;
        const frame = decoder.decode(input);
        decoding = false;
        if (frame === undefined) return;
        // The decoder contract, checked per frame so that the bad frame is never delivered.
        if (input.consumed === before) throw new DecoderContractError(decoder);
        const result = this.frameReceived(frame);
        if (result !== undefined) containRejection(this, result, "frameReceived");
      }
    } catch (err) {
      if (!decoding || !(err instanceof DecodeError)) throw err;
      this.#decodeFailed(err, before);
    }
  }

  #decodeFailed(error: DecodeError, before: number): void {
    containRejection(this, this.frameDecodeFailed(error), "frameDecodeFailed");
    // A hook that took nothing would leave the bad bytes to be met again, and to grow.
    if (this.#input.consumed === before) this.#input.clear();
  }
}
