/**
 * The Quote of the Day servers (RFC 865), TCP and UDP.
 *
 * @module
 */
import { DatagramGuard, DatagramProtocol, Protocol, reactor } from "@torsion/core";
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
 * Answer each datagram with a quote (RFC 865, UDP); the datagram's content is ignored, so an
 * empty datagram is answered too, as the RFC says ("the data in the received datagram is
 * ignored").
 *
 * Like every UDP service that answers, it can reflect traffic to a spoofed source address (a
 * quote of up to 511 bytes for a datagram of none). A {@link DatagramGuard} bounds that: by
 * default no answer to source port 0 or the small services' ports (7, 9, 13, 17, 19, 37), so it
 * cannot be made to loop with an echo server, and at most 20 answers a second (bursts of 40)
 * per source host. Pass your own guard, or `null` to answer everything (a trusted network only).
 */
export class QOTDDatagram extends DatagramProtocol {
  /** Where quotes come from. */
  readonly source: QuoteSource;
  /** What decides which datagrams are answered; `null` answers all. */
  readonly guard: DatagramGuard | null;

  constructor(
    source: QuoteSource = defaultSource,
    guard: DatagramGuard | null = new DatagramGuard({ clock: reactor }),
  ) {
    super();
    this.source = source;
    this.guard = guard;
  }

  override datagramReceived(_data: Buffer, addr: readonly [string, number]): void {
    if (this.guard !== null && !this.guard.allows(addr)) return;
    this.transport.write(this.source.nextQuote(), addr);
  }
}
