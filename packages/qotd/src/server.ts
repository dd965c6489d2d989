/**
 * The Quote of the Day servers (RFC 865), TCP and UDP.
 *
 * @module
 */
import { DatagramProtocol, Protocol } from "@torsion/core";
import { FixedQuote, type QuoteSource } from "./quotes.ts";

const defaultSource = new FixedQuote();

/**
 * Send one quote and close (RFC 865, TCP). Anything the client sends is ignored.
 *
 * ```ts
 * reactor.listenTCP(17, Factory.forProtocol(QOTD, new QuoteList(["One.", "Two."])));
 * ```
 */
export class QOTD extends Protocol {
  /** Where quotes come from; default Twisted's "An apple a day keeps the doctor away." */
  readonly source: QuoteSource;

  constructor(source: QuoteSource = defaultSource) {
    super();
    this.source = source;
  }

  /** The quote to send. Override to compute one; by default, the source's next. */
  getQuote(): string | Uint8Array {
    return this.source.nextQuote();
  }

  override connectionMade(): void {
    this.transport.write(this.getQuote());
    this.transport.loseConnection();
  }
}

/**
 * Answer each datagram with a quote (RFC 865, UDP); the datagram's content is ignored.
 *
 * Like every UDP service that answers, it can reflect traffic to a spoofed source address (a
 * quote of up to 511 bytes for a datagram of none): serve it on loopback or a trusted network.
 */
export class QOTDDatagram extends DatagramProtocol {
  /** Where quotes come from. */
  readonly source: QuoteSource;

  constructor(source: QuoteSource = defaultSource) {
    super();
    this.source = source;
  }

  override datagramReceived(_data: Buffer, addr: readonly [string, number]): void {
    this.transport.write(this.source.nextQuote(), addr);
  }
}
