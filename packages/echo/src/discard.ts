/**
 * The Discard service (RFC 863) over TCP and UDP.
 *
 * @module
 */
import { DatagramProtocol, Protocol } from "@torsion/core";

/**
 * Throw away any data received (RFC 863, TCP). Nothing is written and nothing is kept, so a
 * client can send for as long as it likes; it closes the connection when done.
 */
export class Discard extends Protocol {
  override dataReceived(_data: Buffer): void {
    // Discarding is the whole service.
  }
}

/** Throw away every datagram (RFC 863, UDP); nothing is sent back. */
export class DiscardDatagram extends DatagramProtocol {
  override datagramReceived(_data: Buffer, _addr: readonly [string, number]): void {
    // Discarding is the whole service.
  }
}
