/**
 * The Echo service (RFC 862) over TCP and UDP.
 *
 * @module
 */
import { DatagramGuard, DatagramProtocol, Protocol, reactor } from "@torsion/core";

/**
 * As soon as any data is received, write it back (RFC 862, TCP): every byte, in order,
 * whatever the chunking. It never closes the connection itself; the client does.
 *
 * Backpressure is the transport's: a client that sends without reading fills the transport's
 * write buffer, which pauses reading (the transport is its own producer), so memory stays
 * bounded by the socket buffers.
 */
export class Echo extends Protocol {
  /**
   * `true`: each chunk is written back during the call and not kept, so a transport that
   * supports it (`@torsion/native`) may lend it (no allocation per read); see
   * `IProtocol.receivesBorrowedData`.
   */
  get receivesBorrowedData(): boolean {
    return true;
  }

  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

/**
 * Return each datagram to its sender (RFC 862, UDP). Datagrams larger than the port's
 * `maxPacketSize` (8192 bytes by default) are dropped by the port before they get here.
 *
 * A {@link DatagramGuard} decides which datagrams are answered: by default none from source
 * port 0 or the small services' ports (7, 9, 13, 17, 19, 37), so a forged datagram cannot make
 * two echo servers, or echo and another small service, answer each other forever; and at most
 * 20 answers a second (bursts of 40) per source host. Pass your own guard to change the limits,
 * or `null` to answer everything (a trusted network only).
 */
export class EchoDatagram extends DatagramProtocol {
  /** What decides which datagrams are answered; `null` answers all. */
  readonly guard: DatagramGuard | null;

  constructor(guard: DatagramGuard | null = new DatagramGuard({ clock: reactor })) {
    super();
    this.guard = guard;
  }

  override datagramReceived(data: Buffer, addr: readonly [string, number]): void {
    if (this.guard !== null && !this.guard.allows(addr)) return;
    this.transport.write(data, addr);
  }
}
