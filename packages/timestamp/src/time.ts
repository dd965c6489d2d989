/**
 * The Time service (RFC 868), TCP and UDP, and its client.
 *
 * @module
 */
import {
  ConnectionLost,
  DatagramGuard,
  DatagramProtocol,
  Deferred,
  Failure,
  type IReactorTime,
  type IStreamClientEndpoint,
  Protocol,
  type RequestOptions,
  reactor,
  requestProtocol,
} from "@torsion/core";

/** Seconds from 1900-01-01 to 1970-01-01 (UTC): RFC 868's epoch to Unix's. */
export const RFC868_OFFSET = 2_208_988_800;
const WRAP = 2 ** 32;

/**
 * RFC 868's value for `unixSeconds`: seconds since 1900-01-01 00:00 UTC as an unsigned 32-bit
 * number, `(unix + 2,208,988,800) mod 2^32`. It wraps to 0 on 2036-02-07 06:28:16 UTC.
 */
export function toRFC868(unixSeconds: number): number {
  const v = (Math.floor(unixSeconds) + RFC868_OFFSET) % WRAP;
  return v < 0 ? v + WRAP : v;
}

/**
 * The Unix time an RFC 868 `value` stands for, taken in the 2^32-second era (136 years) that
 * puts it nearest to `nearUnixSeconds` (the client's own clock): a client whose clock is
 * within 68 years of the truth reads the right date before and after the 2036 wrap.
 */
export function fromRFC868(value: number, nearUnixSeconds: number): number {
  const base = value - RFC868_OFFSET;
  return base + Math.round((nearUnixSeconds - base) / WRAP) * WRAP;
}

/** The 4 bytes sent for `unixSeconds`: {@link toRFC868} as a big-endian unsigned 32-bit integer. */
export function encodeTime(unixSeconds: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(toRFC868(unixSeconds));
  return b;
}

/**
 * Send the time as 4 bytes, an unsigned big-endian count of seconds since 1900-01-01 UTC,
 * then close (RFC 868, TCP). Unlike Twisted's `Time`, which sends a signed count since 1970
 * (wrong by the RFC, and failing in 2038).
 */
export class Time extends Protocol {
  readonly #clock: IReactorTime;

  constructor(clock: IReactorTime = reactor) {
    super();
    this.#clock = clock;
  }

  override connectionMade(): void {
    this.transport.write(encodeTime(this.#clock.seconds()));
    this.transport.loseConnection();
  }
}

/** Answer each datagram (RFC 868 asks for an empty one) with the 4-byte time (UDP).
 *
 * A {@link DatagramGuard} (on `clock`'s time) decides which datagrams are answered: by default
 * none from source port 0 or the small services' ports (7, 9, 13, 17, 19, 37), so a forged
 * datagram cannot make it loop with another small service, and at most 20 answers a second
 * (bursts of 40) per source host. Pass your own guard, or `null` to answer everything.
 */
export class TimeDatagram extends DatagramProtocol {
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
    this.transport.write(encodeTime(this.#clock.seconds()), addr);
  }
}

/**
 * Reads the 4-byte time and closes; {@link TimeClient.deferred} fires with the Date, in the era
 * nearest to `clock`'s time (see {@link fromRFC868}).
 */
export class TimeClient extends Protocol {
  /** Fires with the date; fails with `ConnectionLost` if the connection ended before 4 bytes. */
  readonly deferred: Deferred<Date> = new Deferred<Date>();
  readonly #clock: IReactorTime;
  #bytes: Buffer = Buffer.alloc(0);

  constructor(clock: IReactorTime = reactor) {
    super();
    this.#clock = clock;
  }

  override dataReceived(data: Buffer): void {
    if (this.deferred.called) return;
    this.#bytes = Buffer.concat([this.#bytes, data.subarray(0, 4 - this.#bytes.length)]);
    if (this.#bytes.length < 4) return;
    const unix = fromRFC868(this.#bytes.readUInt32BE(0), this.#clock.seconds());
    this.deferred.callback(new Date(unix * 1000));
    this.transport.loseConnection();
  }

  override connectionLost(reason: Failure): void {
    if (this.deferred.called) return;
    this.deferred.errback(
      new Failure(
        new ConnectionLost(
          `The time server closed after ${this.#bytes.length} of 4 bytes: ${reason.getErrorMessage()}`,
          { cause: reason.value },
        ),
      ),
    );
  }
}

/**
 * Ask the time server at `endpoint` for the time.
 *
 * @returns A Deferred that fires with the Date (in the era nearest to `options.clock`'s time,
 *   default the reactor's), or fails with the endpoint's connection error, `ConnectionLost`, or
 *   `TimeoutError` after `options.timeout` seconds (default 30). Never throws.
 */
export function getTime(
  endpoint: IStreamClientEndpoint,
  options: RequestOptions = {},
): Deferred<Date> {
  return requestProtocol(endpoint, new TimeClient(options.clock), options);
}
