/**
 * An echo client: send a message, wait until as many bytes came back.
 *
 * @module
 */
import {
  ConnectionLost,
  Deferred,
  Failure,
  type IStreamClientEndpoint,
  Protocol,
  type RequestOptions,
  requestProtocol,
} from "@torsion/core";

/**
 * Sends `message` once connected and fires {@link EchoClient.deferred} with the first
 * `message.length` bytes that come back, then closes the connection. Bytes beyond that are
 * ignored (and not kept), so a peer that sends more cannot make it hold more memory than
 * the message plus one chunk.
 *
 * An empty message fires at once with an empty buffer.
 */
export class EchoClient extends Protocol {
  /**
   * Fires with the echoed bytes; fails with {@link ConnectionLost} if the connection ended
   * before they all came back (the message says how many did).
   */
  readonly deferred: Deferred<Buffer> = new Deferred<Buffer>();
  readonly #message: Buffer;
  #chunks: Buffer[] = [];
  #received = 0;

  constructor(message: string | Uint8Array) {
    super();
    this.#message = typeof message === "string" ? Buffer.from(message) : Buffer.from(message);
  }

  override connectionMade(): void {
    if (this.#message.length === 0) this.#finish();
    else this.transport.write(this.#message);
  }

  override dataReceived(data: Buffer): void {
    if (this.deferred.called) return;
    this.#chunks.push(data);
    this.#received += data.length;
    if (this.#received >= this.#message.length) this.#finish();
  }

  override connectionLost(reason: Failure): void {
    if (this.deferred.called) return;
    const n = this.#message.length;
    this.#chunks = [];
    this.deferred.errback(
      new Failure(
        new ConnectionLost(
          `Connection closed after ${this.#received} of ${n} bytes were echoed: ${reason.getErrorMessage()}`,
          { cause: reason.value },
        ),
      ),
    );
  }

  #finish(): void {
    const echoed = Buffer.concat(this.#chunks, this.#received).subarray(0, this.#message.length);
    this.#chunks = [];
    // Fire first: closing may report connectionLost synchronously.
    this.deferred.callback(echoed);
    this.transport.loseConnection();
  }
}

/**
 * Send `message` to the echo server at `endpoint` and fire with what it sends back.
 *
 * ```ts
 * const echoed = await echo(clientFromString(reactor, "tcp:127.0.0.1:8007"), "hello");
 * ```
 *
 * @returns A Deferred that fires with the echoed bytes (as many as were sent), or fails with
 *   the endpoint's connection error (`ConnectionRefusedError`, …), `ConnectionLost` if the
 *   server closed first, or `TimeoutError` after `options.timeout` seconds (default 30).
 *   Cancelling it aborts the exchange. Never throws.
 */
export function echo(
  endpoint: IStreamClientEndpoint,
  message: string | Uint8Array,
  options: RequestOptions = {},
): Deferred<Buffer> {
  return requestProtocol(endpoint, new EchoClient(message), options);
}
