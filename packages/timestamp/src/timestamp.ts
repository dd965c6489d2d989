/**
 * The timestamp server of the classic Twisted tutorial: `[<ctime>] <data>` for each chunk.
 *
 * @module
 */
import { type IReactorTime, Protocol, reactor } from "@torsion/core";
import { ctime } from "./ctime.ts";

/** Default port of the tutorial's timestamp server and client. */
export const TIMESTAMP_PORT = 21567;

/** Options of {@link Timestamp}. */
export interface TimestampOptions {
  /** Where the time comes from; default the reactor. */
  clock?: IReactorTime;
  /**
   * The time zone of the stamp: `undefined` (the default) is the process's local time, as the
   * tutorial's `time.ctime()`; `"UTC"` or an IANA name (`"Europe/Paris"`) otherwise.
   */
  timeZone?: string | undefined;
}

/**
 * For each chunk of data received, reply `[<ctime>] <data>`, e.g.
 * `[Tue Apr 18 23:53:09 2006] Where is hope`, exactly as the tutorial's `dataReceived` does:
 * no framing (one reply per chunk, however the bytes were split), no newline added, and the
 * connection is kept open until the client closes it.
 */
export class Timestamp extends Protocol {
  readonly #clock: IReactorTime;
  readonly #timeZone: string | undefined;

  /** @throws RangeError for an unknown `timeZone`, at once rather than on the first message. */
  constructor(options: TimestampOptions = {}) {
    super();
    this.#clock = options.clock ?? reactor;
    this.#timeZone = options.timeZone;
    ctime(0, this.#timeZone);
  }

  override dataReceived(data: Buffer): void {
    this.transport.writeSequence([`[${ctime(this.#clock.seconds(), this.#timeZone)}] `, data]);
  }
}
