/**
 * The Daytime service (RFC 867), TCP and UDP, and its client.
 *
 * @module
 */
import {
  ConnectionDone,
  DatagramGuard,
  DatagramProtocol,
  Deferred,
  Failure,
  type IReactorTime,
  type IStreamClientEndpoint,
  type ITCPTransport,
  Protocol,
  type RequestOptions,
  reactor,
  requestProtocol,
} from "@torsion/core";
import { ctime, parseAsctime } from "./ctime.ts";

/** The daytime line for `seconds` since the Unix epoch: `Thu Jan  1 00:00:00 1970\r\n`, in UTC. */
export function daytimeString(seconds: number): string {
  return `${ctime(seconds, "UTC")}\r\n`;
}

/**
 * Send the current date and time as one human-readable line, `Thu Jan  1 00:00:00 1970\r\n`
 * in UTC (asctime, as Twisted's `Daytime` meant to), then close (RFC 867, TCP). Input is
 * ignored.
 */
export class Daytime extends Protocol {
  readonly #clock: IReactorTime;

  constructor(clock: IReactorTime = reactor) {
    super();
    this.#clock = clock;
  }

  override connectionMade(): void {
    this.transport.write(daytimeString(this.#clock.seconds()));
    this.transport.loseConnection();
  }
}

/** Answer each datagram with the daytime line (RFC 867, UDP); its content is ignored.
 *
 * A {@link DatagramGuard} (on `clock`'s time) decides which datagrams are answered: by default
 * none from source port 0 or the small services' ports (7, 9, 13, 17, 19, 37), so a forged
 * datagram cannot make it loop with another small service, and at most 20 answers a second
 * (bursts of 40) per source host. Pass your own guard, or `null` to answer everything.
 */
export class DaytimeDatagram extends DatagramProtocol {
  /** What decides which datagrams are answered; `null` answers all. */
  readonly guard: DatagramGuard | null;
  readonly #clock: IReactorTime;

  constructor(
    clock: IReactorTime = reactor,
    guard: DatagramGuard | null = new DatagramGuard({ clock }),
  ) {
    super();
    this.#clock = clock;
    this.guard = guard;
  }

  override datagramReceived(_data: Buffer, addr: readonly [string, number]): void {
    if (this.guard !== null && !this.guard.allows(addr)) return;
    this.transport.write(daytimeString(this.#clock.seconds()), addr);
  }
}

/** A daytime reply that is neither asctime nor anything `Date.parse` understands. */
export class DaytimeParseError extends Error {
  constructor(readonly text: string) {
    super(`Cannot read a date from the daytime reply ${JSON.stringify(text)}`);
    this.name = "DaytimeParseError";
  }
}

/**
 * Read a daytime reply: asctime (`Thu Jan  1 00:00:00 1970`) is taken as UTC, as this
 * package's and Twisted's servers send it; anything else is given to `Date.parse` (which reads
 * RFC 2822 and ISO 8601 with their zones).
 *
 * @throws DaytimeParseError if neither reads it.
 */
export function parseDaytime(text: string): Date {
  const asctime = parseAsctime(text);
  if (asctime !== undefined) return asctime;
  const ms = Date.parse(text.trim());
  if (Number.isNaN(ms)) throw new DaytimeParseError(text);
  return new Date(ms);
}

/** The most a daytime client reads (RFC 867 replies are one line). */
const MAX_DAYTIME = 1024;

/**
 * Reads the daytime line until the server closes; {@link DaytimeClient.deferred} fires with the
 * Date.
 */
export class DaytimeClient extends Protocol {
  /**
   * Fires with the date; fails with `ConnectionLost` on an unclean close,
   * {@link DaytimeParseError} for an unreadable reply (or one over 1024 bytes).
   */
  readonly deferred: Deferred<Date> = new Deferred<Date>();
  #chunks: Buffer[] = [];
  #received = 0;

  override dataReceived(data: Buffer): void {
    if (this.deferred.called) return;
    this.#received += data.length;
    if (this.#received > MAX_DAYTIME) {
      this.#chunks = [];
      this.deferred.errback(new DaytimeParseError(`<more than ${MAX_DAYTIME} bytes>`));
      (this.transport as ITCPTransport).abortConnection?.();
      return;
    }
    this.#chunks.push(data);
  }

  override connectionLost(reason: Failure): void {
    if (this.deferred.called) return;
    const text = Buffer.concat(this.#chunks).toString("latin1");
    this.#chunks = [];
    if (!reason.check(ConnectionDone)) {
      this.deferred.errback(reason);
      return;
    }
    let date: Date;
    try {
      date = parseDaytime(text);
    } catch (e) {
      this.deferred.errback(new Failure(e));
      return;
    }
    this.deferred.callback(date);
  }
}

/**
 * Ask the daytime server at `endpoint` for the date.
 *
 * @returns A Deferred that fires with the Date, or fails with the endpoint's connection error,
 *   `ConnectionLost`, {@link DaytimeParseError}, or `TimeoutError` after `options.timeout`
 *   seconds (default 30). Never throws.
 */
export function getDaytime(
  endpoint: IStreamClientEndpoint,
  options: RequestOptions = {},
): Deferred<Date> {
  return requestProtocol(endpoint, new DaytimeClient(), options);
}
