/**
 * The Echo service (RFC 862) over TCP and UDP.
 *
 * @module
 */
import { DatagramProtocol, Protocol } from "@torsion/core";

/**
 * As soon as any data is received, write it back (RFC 862, TCP): every byte, in order,
 * whatever the chunking. It never closes the connection itself; the client does.
 *
 * Backpressure is the transport's: a client that sends without reading fills the transport's
 * write buffer, which pauses reading (the transport is its own producer), so memory stays
 * bounded by the socket buffers.
 */
export class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

/**
 * Return each datagram to its sender (RFC 862, UDP). Datagrams larger than the port's
 * `maxPacketSize` (8192 bytes by default) are dropped by the port before they get here.
 */
export class EchoDatagram extends DatagramProtocol {
  override datagramReceived(data: Buffer, addr: readonly [string, number]): void {
    this.transport.write(data, addr);
  }
}
