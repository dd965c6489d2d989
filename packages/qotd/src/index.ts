/**
 * `@torsion/qotd`: the Quote of the Day service (RFC 865) over TCP and UDP, its client, and
 * the `qotd-client` command. The `twist` plugin is in `@torsion/qotd/plugin`.
 *
 * @module
 */
export { QOTD, QOTDDatagram } from "./server.ts";
export {
  DEFAULT_QUOTE,
  encodeQuote,
  FixedQuote,
  loadQuoteFile,
  MAX_QUOTE_LENGTH,
  parseQuotes,
  QuoteList,
  QuoteTooLongError,
} from "./quotes.ts";
export type { QuoteListOptions, QuoteSource } from "./quotes.ts";
export { DEFAULT_MAX_RECEIVED, getQuote, QOTDClient } from "./client.ts";
export type { GetQuoteOptions } from "./client.ts";
export type { RequestOptions } from "@torsion/core";
