/**
 * The Quote of the Day client: read until the server closes.
 *
 * @module
 */
import {
  ConnectionDone,
  Deferred,
  Failure,
  type IStreamClientEndpoint,
  type ITCPTransport,
  Protocol,
  type RequestOptions,
  requestProtocol,
} from "@torsion/core";
import { QuoteTooLongError } from "./quotes.ts";

/** The most a client accepts by default: generous next to RFC 865's 512 characters. */
export const DEFAULT_MAX_RECEIVED = 8192;

/**
 * Reads a quote: everything the server sends until it closes the connection (RFC 865 has no
 * other framing). {@link QOTDClient.deferred} fires with the text (UTF-8, exactly as sent,
 * line ends included) on a clean close.
 */
export class QOTDClient extends Protocol {
  /**
   * Fires with the quote; fails with the connection's reason when it did not end cleanly
   * (`ConnectionLost`), or with {@link QuoteTooLongError} when the server sent more than
   * `maxLength` bytes (the connection is then aborted).
   */
  readonly deferred: Deferred<string> = new Deferred<string>();
  readonly #maxLength: number;
  #chunks: Buffer[] = [];
  #received = 0;

  constructor(maxLength: number = DEFAULT_MAX_RECEIVED) {
    super();
    this.#maxLength = maxLength;
  }

  override dataReceived(data: Buffer): void {
    if (this.deferred.called) return;
    this.#received += data.length;
    if (this.#received > this.#maxLength) {
      this.#chunks = [];
      this.deferred.errback(
        new QuoteTooLongError(`The server sent more than ${this.#maxLength} bytes: not a quote`),
      );
      const t = this.transport as Partial<ITCPTransport> & { loseConnection(): void };
      if (typeof t.abortConnection === "function") t.abortConnection();
      else t.loseConnection();
      return;
    }
    this.#chunks.push(data);
  }

  override connectionLost(reason: Failure): void {
    if (this.deferred.called) return;
    const text = Buffer.concat(this.#chunks, this.#received).toString("utf8");
    this.#chunks = [];
    if (reason.check(ConnectionDone)) this.deferred.callback(text);
    else this.deferred.errback(reason instanceof Failure ? reason : new Failure(reason));
  }
}

/** Options of {@link getQuote}. */
export interface GetQuoteOptions extends RequestOptions {
  /** The most bytes accepted before giving up; default {@link DEFAULT_MAX_RECEIVED}. */
  maxLength?: number;
}

/**
 * Ask the QOTD server at `endpoint` for a quote.
 *
 * ```ts
 * console.log(await getQuote(clientFromString(reactor, "tcp:127.0.0.1:8017"), { timeout: 5 }));
 * ```
 *
 * @returns A Deferred that fires with the quote (exactly as sent), or fails with the endpoint's
 *   connection error (`ConnectionRefusedError`, …), `ConnectionLost`, `QuoteTooLongError`, or
 *   `TimeoutError` after `options.timeout` seconds (default 30) on `options.clock` (default the
 *   reactor). Cancelling it aborts the exchange. Never throws.
 */
export function getQuote(
  endpoint: IStreamClientEndpoint,
  options: GetQuoteOptions = {},
): Deferred<string> {
  return requestProtocol(endpoint, new QOTDClient(options.maxLength), options);
}
