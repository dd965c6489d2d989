/**
 * The service the scale-out recipe runs three of: an echo server behind a balancer, which logs
 * each client as `getPeer()` reports it (the client's own address, from the PROXY header).
 *
 *     SCALE_OUT_LISTEN=haproxy:tcp:8007:interface=127.0.0.1 \
 *       twist --metrics tcp:9464:interface=127.0.0.1 --app examples/dist/scale-out/echo-service.js
 *
 * @module
 */
import { Application, service } from "@torsion/application";
import { Factory, Logger, Protocol } from "@torsion/core";

const log = new Logger("scale-out.echo");

/** Echo, logging who connected (as the protocol sees it). */
export class PeerLoggingEcho extends Protocol {
  override connectionMade(): void {
    const peer = this.transport.getPeer() as { host?: string; port?: number };
    log.info("Connection from {peerHost}:{peerPort}", { peerHost: peer.host, peerPort: peer.port });
  }

  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

/** Where it listens: a `haproxy:` endpoint, so it expects a PROXY header on every connection. */
export const endpoint: string =
  process.env.SCALE_OUT_LISTEN ?? "haproxy:tcp:8007:interface=127.0.0.1";

/** What `twist --app` runs. */
export const application: Application = new Application("echo");
service(endpoint, Factory.forProtocol(PeerLoggingEcho)).setServiceParent(application);
