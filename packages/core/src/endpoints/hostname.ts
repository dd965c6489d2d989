/**
 * The name-based TCP client endpoint, after Twisted's `HostnameEndpoint`.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import type { IProtocol, IProtocolFactory } from "../interfaces.ts";
import { connectOptions, connectWrapped, TCPClientEndpointBase } from "./tcp.ts";

/**
 * Connects to a host name over whichever of its IPv6 and IPv4 addresses answers first.
 *
 * Twisted's `HostnameEndpoint` resolves the name itself and starts one attempt every 0.3 s
 * until one succeeds. Node implements the same algorithm (RFC 8305, "happy eyeballs") in
 * `net.connect({ autoSelectFamily: true })`, so this endpoint hands the name to the reactor's
 * `connectTCP` with `autoSelectFamily: true` rather than racing attempts itself. An IP literal
 * is connected to directly.
 */
export class HostnameEndpoint extends TCPClientEndpointBase {
  /**
   * Connect with `factory`. Fires with the connected protocol; fails with `DNSLookupError` when
   * the name does not resolve, `ConnectionRefusedError`/`TimeoutError`/another `ConnectError`
   * when no address answers, or with what `buildProtocol` threw. Cancelling fails it with
   * `ConnectingCancelledError`. Never throws.
   */
  override connect(factory: IProtocolFactory): Deferred<IProtocol> {
    const options = { ...connectOptions(this.timeout, this.bindAddress), autoSelectFamily: true };
    return connectWrapped(this.reactor, this.host, this.port, factory, options);
  }

  /** `<HostnameEndpoint example.com:443>`, as Twisted prints it. */
  override toString(): string {
    const host = this.host.includes(":") ? `[${this.host}]` : this.host;
    return `<HostnameEndpoint ${host}:${this.port}>`;
  }
}
