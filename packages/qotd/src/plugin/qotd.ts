/**
 * The `qotd` plugin for `twist`: a Quote of the Day server (RFC 865) on TCP endpoints and,
 * optionally, UDP addresses.
 *
 *     twist qotd                                         # tcp:8017, Twisted's apple quote
 *     twist qotd --quote "Fortune favours the bold."
 *     twist qotd --quotes-file /usr/share/games/fortunes/fortunes --random -u 127.0.0.1:8017
 *
 * @module
 */
import type {
  BooleanOption,
  OptionalStringOption,
  ServiceMaker,
  StringListOption,
  StringOption,
} from "@torsion/application";
import { DatagramGuard, Factory } from "@torsion/core";
import { FixedQuote, loadQuoteFile, type QuoteSource } from "../quotes.ts";
import { QOTD, QOTDDatagram } from "../server.ts";

type Options = {
  listen: StringListOption;
  udp: StringListOption;
  "udp-rate": StringOption;
  quote: OptionalStringOption;
  "quotes-file": OptionalStringOption;
  random: BooleanOption;
};

/**
 * The `qotd` service maker. `--quote TEXT` serves one quote, `--quotes-file PATH` the quotes of
 * a file (paragraphs, or `fortune`'s `%` separators) in turn, or at random with `--random`.
 * A quote over RFC 865's limit stops the service from being made (`QuoteTooLongError`).
 */
const plugin: ServiceMaker<Options> = {
  name: "qotd",
  description: "A Quote of the Day server (RFC 865).",
  options: {
    listen: {
      type: "string",
      multiple: true,
      short: "l",
      default: ["tcp:8017"],
      description: "Endpoint to listen on (repeatable)",
    },
    udp: {
      type: "string",
      multiple: true,
      short: "u",
      default: [],
      description: "Also serve on this UDP address: PORT or HOST:PORT (repeatable)",
    },
    "udp-rate": {
      type: "string",
      default: String(DatagramGuard.defaults.ratePerSource),
      description: "UDP answers per second per source host, bursts of twice that (0: no limit)",
    },
    quote: { type: "string", short: "q", description: "The quote to serve (default: Twisted's)" },
    "quotes-file": {
      type: "string",
      short: "f",
      description: "Serve the quotes of this file: one per paragraph, or separated by % lines",
    },
    random: {
      type: "boolean",
      default: false,
      description: "With --quotes-file: pick at random instead of in turn",
    },
  },
  async makeService(options, helpers) {
    if (options.quote !== undefined && options["quotes-file"] !== undefined) {
      throw new TypeError("Give --quote or --quotes-file, not both");
    }
    const file = options["quotes-file"];
    const source: QuoteSource =
      file !== undefined
        ? await loadQuoteFile(file, { order: options.random ? "random" : "rotate" })
        : new FixedQuote(options.quote);
    const factory = Factory.forProtocol(QOTD, source);
    const guard = () => DatagramGuard.fromRateOption(options["udp-rate"], helpers.reactor);
    return helpers.combine([
      ...options.udp.map((address) =>
        helpers.listenUDP(address, new QOTDDatagram(source, guard())),
      ),
      ...options.listen.map((endpoint) => helpers.listen(endpoint, factory)),
    ]);
  },
};
export default plugin;
