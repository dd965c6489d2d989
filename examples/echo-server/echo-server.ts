/**
 * The classic Twisted echo server (the "Writing Servers" howto): every byte received is written
 * back, and each client is greeted with the number of connections open, counted by the
 * factory.
 *
 *     node examples/dist/echo-server/echo-server.js [endpoint]   # default tcp:8000:interface=127.0.0.1
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { Factory, type Failure, Protocol, reactor, serverFromString } from "@torsion/core";

/** Greets, echoes, and keeps the factory's count of open connections. */
export class Echo extends Protocol {
  override connectionMade(): void {
    const factory = this.factory as EchoFactory;
    factory.numProtocols += 1;
    this.transport.write(
      `Welcome! There are currently ${factory.numProtocols} open connections.\n`,
    );
  }

  override connectionLost(_reason: Failure): void {
    (this.factory as EchoFactory).numProtocols -= 1;
  }

  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

/** Builds {@link Echo}s and counts those connected. */
export class EchoFactory extends Factory {
  /** Connections open now. */
  numProtocols = 0;

  override buildProtocol(): Echo {
    const p = new Echo();
    p.factory = this;
    return p;
  }
}

/** Listen on `description` and run the reactor until SIGINT/SIGTERM. */
export async function main(description = "tcp:8000:interface=127.0.0.1"): Promise<void> {
  const port = await serverFromString(reactor, description).listen(new EchoFactory());
  console.log(`echo server listening on ${port.getHost()}`);
  await reactor.run();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv[2]).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
