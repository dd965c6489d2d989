/**
 * The classic timestamp server (the Twisted chapter of "Core Python Programming",
 * `tsTservTW.py`): whatever a client sends comes back prefixed with the server's time,
 * `[Tue Apr 18 23:53:09 2006] Where is hope`, once per chunk received, as the original does.
 * The time comes from the factory's clock (the reactor; a `Clock` in tests).
 *
 *     node examples/dist/timestamp-server/timestamp-server.js [endpoint]   # default tcp:21567:interface=127.0.0.1
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { Factory, type IReactorTime, Protocol, reactor, serverFromString } from "@torsion/core";
import { ctime } from "@torsion/timestamp";

/** The tutorial's port. */
export const PORT = 21567;

/** `TSServProtocol`: each chunk back, stamped. */
export class TSServProtocol extends Protocol {
  override dataReceived(data: Buffer): void {
    const { clock, timeZone } = this.factory as TSServFactory;
    // One write per reply: a client that prints each chunk it gets sees the reply whole.
    this.transport.write(
      Buffer.concat([Buffer.from(`[${ctime(clock.seconds(), timeZone)}] `), data]),
    );
  }
}

/** Builds {@link TSServProtocol}s that read the time from `clock`. */
export class TSServFactory extends Factory {
  readonly clock: IReactorTime;
  /** `undefined`: local time, as Python's `time.ctime()`; or `"UTC"`, an IANA zone. */
  readonly timeZone: string | undefined;

  constructor(clock: IReactorTime, timeZone?: string) {
    super();
    this.clock = clock;
    this.timeZone = timeZone;
  }

  override buildProtocol(): TSServProtocol {
    const p = new TSServProtocol();
    p.factory = this;
    return p;
  }
}

/** Listen on `description` and run the reactor until SIGINT/SIGTERM. */
export async function main(description = `tcp:${PORT}:interface=127.0.0.1`): Promise<void> {
  const port = await serverFromString(reactor, description).listen(new TSServFactory(reactor));
  console.log(`waiting for connection... (timestamp server on ${port.getHost()})`);
  await reactor.run();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv[2]).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
