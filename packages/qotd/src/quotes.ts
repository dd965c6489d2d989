/**
 * Where quotes come from: one fixed quote, a list (rotated or random), or a file.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { Deferred } from "@torsion/core";

/**
 * The longest quote accepted, in bytes as sent (UTF-8, CRLF line ends included). RFC 865: the
 * quote "should be less than 512 characters".
 */
export const MAX_QUOTE_LENGTH = 511;

/** Twisted's default quote (`twisted.protocols.wire.QOTD.getQuote`). */
export const DEFAULT_QUOTE = "An apple a day keeps the doctor away.";

/** A quote longer than {@link MAX_QUOTE_LENGTH} (or a client's limit) was given or received. */
export class QuoteTooLongError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "QuoteTooLongError";
  }
}

/** Gives the server its next quote, already encoded for the wire. */
export interface QuoteSource {
  /** The next quote's bytes (at most {@link MAX_QUOTE_LENGTH}). Called once per answer. */
  nextQuote(): Buffer;
}

/**
 * Encode `text` as it goes on the wire: line ends become CRLF, and a final CRLF is added if
 * missing (as Twisted's quote ends with one).
 *
 * @throws QuoteTooLongError if the result is longer than {@link MAX_QUOTE_LENGTH} bytes: the
 *   quote is refused rather than cut, because a cut quote is a misquote.
 */
export function encodeQuote(text: string, label = "quote"): Buffer {
  let wire = text.replace(/\r?\n/g, "\r\n");
  if (!wire.endsWith("\r\n")) wire += "\r\n";
  const bytes = Buffer.from(wire, "utf8");
  if (bytes.length > MAX_QUOTE_LENGTH) {
    throw new QuoteTooLongError(
      `${label} is ${bytes.length} bytes as sent, over RFC 865's limit of ${MAX_QUOTE_LENGTH} (less than 512 characters)`,
    );
  }
  return bytes;
}

/** Always the same quote. */
export class FixedQuote implements QuoteSource {
  readonly #bytes: Buffer;

  /** @throws QuoteTooLongError as {@link encodeQuote} does. */
  constructor(text: string = DEFAULT_QUOTE) {
    this.#bytes = encodeQuote(text);
  }

  nextQuote(): Buffer {
    return this.#bytes;
  }
}

/** Options of {@link QuoteList}. */
export interface QuoteListOptions {
  /** `"rotate"` (the default): in order, starting over at the end; `"random"`: any, each time. */
  order?: "rotate" | "random";
  /** For `"random"`: a number in [0, 1), as `Math.random` (the default) returns. */
  random?: () => number;
}

/** Several quotes, given out in turn or at random. */
export class QuoteList implements QuoteSource {
  readonly #quotes: Buffer[];
  readonly #order: "rotate" | "random";
  readonly #random: () => number;
  #next = 0;

  /**
   * @throws TypeError if `quotes` is empty; QuoteTooLongError naming the quote (1-based) that
   *   is too long.
   */
  constructor(quotes: readonly string[], options: QuoteListOptions = {}) {
    if (quotes.length === 0) throw new TypeError("QuoteList needs at least one quote");
    this.#quotes = quotes.map((q, i) => encodeQuote(q, `quote ${i + 1}`));
    this.#order = options.order ?? "rotate";
    this.#random = options.random ?? Math.random;
  }

  /** How many quotes there are. */
  get length(): number {
    return this.#quotes.length;
  }

  nextQuote(): Buffer {
    const n = this.#quotes.length;
    if (this.#order === "random") {
      const i = Math.min(n - 1, Math.max(0, Math.floor(this.#random() * n)));
      return this.#quotes[i]!;
    }
    const quote = this.#quotes[this.#next]!;
    this.#next = (this.#next + 1) % n;
    return quote;
  }
}

/**
 * Split a quotes file into quotes. If any line is exactly `%` (the `fortune` format), quotes are
 * separated by such lines and may contain blank lines; otherwise each paragraph (separated by
 * blank lines) is a quote. Quotes are trimmed; empty ones are dropped.
 */
export function parseQuotes(text: string): string[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const fortune = lines.some((l) => l === "%");
  const quotes: string[] = [];
  let current: string[] = [];
  const flush = (): void => {
    const q = current.join("\n").trim();
    if (q !== "") quotes.push(q);
    current = [];
  };
  for (const line of lines) {
    if (fortune ? line === "%" : line.trim() === "") flush();
    else current.push(line);
  }
  flush();
  return quotes;
}

/**
 * Read a quotes file (see {@link parseQuotes}) into a {@link QuoteList}.
 *
 * @returns A Deferred that fires with the list, or fails with the file system's error, a
 *   `TypeError` if the file holds no quote, or a {@link QuoteTooLongError} naming the file and
 *   the quote.
 */
export function loadQuoteFile(path: string, options: QuoteListOptions = {}): Deferred<QuoteList> {
  return Deferred.fromPromise(
    readFile(path, "utf8").then((text) => {
      const quotes = parseQuotes(text);
      if (quotes.length === 0) throw new TypeError(`${path} holds no quote`);
      try {
        return new QuoteList(quotes, options);
      } catch (e) {
        if (e instanceof QuoteTooLongError) throw new QuoteTooLongError(`${path}: ${e.message}`);
        throw e;
      }
    }),
  );
}
