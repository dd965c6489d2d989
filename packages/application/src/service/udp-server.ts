/**
 * {@link UDPServer} (Twisted's `internet.UDPServer`) and {@link parseUDPAddress}, what the
 * `listenUDP` helper of a plugin's `makeService` builds.
 *
 * @module
 */
import { isIP } from "node:net";
import {
  type Deferred,
  EndpointDescriptionError,
  type IDatagramProtocol,
  type IListeningPort,
  type IReactorUDP,
  type ListenUDPOptions,
  Logger,
  succeed,
} from "@torsion/core";
import { displayName, formatAddress } from "./display.ts";
import { Service } from "./service.ts";

const log = new Logger("torsion.application");

/**
 * Read a UDP address: `PORT`, `HOST:PORT` or `[IPv6]:PORT`, the host an IP address (UDP binds
 * an address, not a name). With no host the socket binds every IPv4 interface, as a bare TCP
 * port does.
 *
 * @throws EndpointDescriptionError naming the value when it is not of that shape (`twist`
 *   exits 64 with the usage line).
 */
export function parseUDPAddress(value: string): { interface: string; port: number } {
  const m = /^(?:\[([^\]]+)\]:|([^:[\]]*):)?(\d{1,5})$/.exec(value);
  const port = m === null ? Number.NaN : Number(m[3]);
  const host = m?.[1] ?? m?.[2] ?? "";
  if (m === null || port > 65535 || (host !== "" && isIP(host) === 0)) {
    throw new EndpointDescriptionError(
      `Invalid UDP address ${JSON.stringify(value)}: expected PORT, HOST:PORT or [IPv6]:PORT`,
    );
  }
  return { interface: host, port };
}

/**
 * Binds a datagram protocol to a UDP port while it runs (Twisted's `internet.UDPServer`).
 *
 * ```ts
 * new UDPServer(reactor, 7, new EchoDatagram(), { interface: "127.0.0.1" }).setServiceParent(app);
 * ```
 *
 * - `startService()` binds; its Deferred fires once bound, or fails with `CannotListenError`
 *   (the service is then not running).
 * - `stopService()` closes the socket; its Deferred fires once closed.
 */
export class UDPServer extends Service {
  /** The port asked for (0: any free port; see {@link UDPServer.port} for the one bound). */
  readonly portNumber: number;
  /** The address to bind (`""`: every IPv4 interface), and the largest datagram accepted. */
  readonly options: ListenUDPOptions;
  /** `udp:PORT` or the address it was given, for messages. */
  readonly description: string;
  readonly #reactor: IReactorUDP;
  readonly #protocol: IDatagramProtocol;
  #port: IListeningPort | null = null;

  constructor(
    reactor: IReactorUDP,
    port: number,
    protocol: IDatagramProtocol,
    options: ListenUDPOptions = {},
  ) {
    super();
    this.#reactor = reactor;
    this.portNumber = port;
    this.#protocol = protocol;
    this.options = options;
    const host = options.interface ?? "";
    this.description = `udp:${host.includes(":") ? `[${host}]` : host}${host ? ":" : ""}${port}`;
  }

  /** The bound port while running, else `null` (its `getHost()` has the real port number). */
  get port(): IListeningPort | null {
    return this.#port;
  }

  /** Bind. @returns A Deferred that fires once bound, or fails with `CannotListenError`. */
  override startService(): Deferred<void> {
    super.startService();
    return this.#reactor.listenUDP(this.portNumber, this.#protocol, this.options).addCallbacks(
      (p: IListeningPort) => {
        this.#port = p;
        log.info("Service {service} listening on {address}", {
          service: displayName(this, this.description),
          address: formatAddress(p.getHost()),
          port: (p.getHost() as { port?: unknown }).port,
        });
      },
      (f) => {
        this.running = false;
        throw f.value;
      },
    );
  }

  /** Close the socket. @returns A Deferred that fires once it is closed. Never fails. */
  override stopService(): Deferred<void> {
    super.stopService();
    const p = this.#port;
    this.#port = null;
    return p === null ? succeed(undefined) : p.stopListening().addErrback(() => undefined);
  }

  override toString(): string {
    return `<${this.constructor.name} ${this.description}>`;
  }
}
