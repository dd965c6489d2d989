/**
 * The client side of the tutorial's timestamp protocol: send a message, wait for its stamp.
 *
 * @module
 */
import { ConnectionLost, Deferred, Failure, fail, Protocol } from "@torsion/core";

/** `[` + a 24-character ctime + `] `: what the server puts before the data it got. */
const STAMP_LENGTH = 27;

interface Pending {
  expected: number;
  received: number;
  chunks: Buffer[];
  d: Deferred<Buffer>;
}

/**
 * Sends messages with {@link TimestampClient.send} and hears each reply. The protocol is
 * unframed, so a reply counts as complete once `27 + message length` bytes came back (the stamp
 * of a four-digit year, then the message): exactly one reply when the server read the message
 * in one chunk, as it does for a line typed at a prompt. Bytes that arrive with nothing pending
 * go to {@link TimestampClient.extraReceived}.
 */
export class TimestampClient extends Protocol {
  /** Fires (with `undefined`, never failing) when the connection ends; see {@link closeReason}. */
  readonly closed: Deferred<void> = new Deferred<void>();
  /** Why the connection ended (`ConnectionDone` or `ConnectionLost`), once it has. */
  closeReason: Failure | undefined;
  #pending: Pending | undefined;

  /**
   * Send `message` (without adding a newline, as the tutorial's client).
   *
   * @returns A Deferred that fires with the reply, or fails with `ConnectionLost` if the
   *   connection ends first, or with an `Error` if a reply is still awaited.
   */
  send(message: string | Uint8Array): Deferred<Buffer> {
    if (this.#pending !== undefined)
      return fail(new Error("A message is still waiting for its reply"));
    if (!this.connected) return fail(new ConnectionLost("Not connected"));
    const bytes = typeof message === "string" ? Buffer.from(message) : Buffer.from(message);
    const d = new Deferred<Buffer>();
    this.#pending = { expected: STAMP_LENGTH + bytes.length, received: 0, chunks: [], d };
    this.transport.write(bytes);
    return d;
  }

  /** Bytes that came with no message awaiting a reply. The default ignores them. */
  extraReceived(_data: Buffer): void {}

  override dataReceived(data: Buffer): void {
    const p = this.#pending;
    if (p === undefined) {
      this.extraReceived(data);
      return;
    }
    p.chunks.push(data);
    p.received += data.length;
    if (p.received >= p.expected) {
      this.#pending = undefined;
      p.d.callback(Buffer.concat(p.chunks, p.received));
    }
  }

  override connectionLost(reason: Failure): void {
    this.connected = false;
    const p = this.#pending;
    this.#pending = undefined;
    p?.d.errback(
      new Failure(
        new ConnectionLost(`Connection lost: ${reason.getErrorMessage()}`, { cause: reason.value }),
      ),
    );
    this.closeReason = reason;
    this.closed.callback(undefined);
  }
}
