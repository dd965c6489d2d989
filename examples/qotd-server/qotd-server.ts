/**
 * The classic Twisted QOTD server (the "Writing Servers" howto): each client gets the
 * factory's quote and the connection is closed. The quote lives on the factory, so that one
 * configuration is shared by every connection.
 *
 *     node examples/dist/qotd-server/qotd-server.js [endpoint] [quote]   # default tcp:8007:interface=127.0.0.1
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { Factory, Protocol, reactor, serverFromString } from "@torsion/core";

/** Writes the factory's quote and hangs up. */
export class QOTD extends Protocol {
  override connectionMade(): void {
    this.transport.write(`${(this.factory as QOTDFactory).quote}\r\n`);
    this.transport.loseConnection();
  }
}

/** Builds {@link QOTD}s that all tell the same quote. */
export class QOTDFactory extends Factory {
  /** The quote every client gets (without the CRLF the protocol adds). */
  readonly quote: string;

  constructor(quote?: string) {
    super();
    this.quote = quote ?? "An apple a day keeps the doctor away";
  }

  override buildProtocol(): QOTD {
    const p = new QOTD();
    p.factory = this;
    return p;
  }
}

/** Listen on `description` and run the reactor until SIGINT/SIGTERM. */
export async function main(
  description = "tcp:8007:interface=127.0.0.1",
  quote?: string,
): Promise<void> {
  const port = await serverFromString(reactor, description).listen(new QOTDFactory(quote));
  console.log(`QOTD server listening on ${port.getHost()}`);
  await reactor.run();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv[2], process.argv[3]).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
