/**
 * A UDP port as a service, which the runner's helpers do not offer (`listen` is for stream
 * endpoints). Written against the `IService` shape only, because a plugin must not import
 * `@torsion/application` at run time.
 *
 * @module
 */
import { isIP } from "node:net";
import {
  type Deferred,
  type IDatagramProtocol,
  type IListeningPort,
  type IReactorUDP,
  succeed,
} from "@torsion/core";
import type { IService, IServiceCollection } from "./contract.ts";

/**
 * Parse a UDP address option: `PORT`, `HOST:PORT` or `[HOST]:PORT`, the host an IP address
 * (UDP binds an address, not a name). With no host the socket binds every IPv4 interface, as a
 * bare TCP port does.
 *
 * @throws TypeError naming the value when it is not of that shape.
 */
export function parseUDPAddress(value: string): { interface: string; port: number } {
  const m = /^(?:\[([^\]]+)\]:|([^:[\]]*):)?(\d{1,5})$/.exec(value);
  const port = m === null ? Number.NaN : Number(m[3]);
  const host = m?.[1] ?? m?.[2] ?? "";
  if (m === null || port > 65535 || (host !== "" && isIP(host) === 0)) {
    throw new TypeError(
      `Invalid UDP address ${JSON.stringify(value)}: expected PORT, HOST:PORT or [IPv6]:PORT`,
    );
  }
  return { interface: host, port };
}

/** Binds `protocol` to a UDP port while running (Twisted's `internet.UDPServer`). */
export class UDPService implements IService {
  name: string | null = null;
  running = false;
  #parent: IServiceCollection | null = null;
  readonly #reactor: IReactorUDP;
  readonly #address: { interface: string; port: number };
  readonly #protocol: IDatagramProtocol;
  #port: IListeningPort | undefined;

  /** @throws TypeError for a malformed `address` (see {@link parseUDPAddress}). */
  constructor(reactor: IReactorUDP, address: string, protocol: IDatagramProtocol) {
    this.#reactor = reactor;
    this.#address = parseUDPAddress(address);
    this.#protocol = protocol;
  }

  get parent(): IServiceCollection | null {
    return this.#parent;
  }

  setName(name: string): void {
    if (this.#parent !== null)
      throw new Error("Cannot change the name of a service that has a parent");
    this.name = name;
  }

  setServiceParent(parent: IServiceCollection): void {
    if (this.#parent !== null) this.disownServiceParent();
    this.#parent = parent;
    parent.addService(this);
  }

  disownServiceParent(): Deferred<void> | void {
    const parent = this.#parent;
    this.#parent = null;
    return parent?.removeService(this);
  }

  privilegedStartService(): void {}

  /** Bind; fails with `CannotListenError` when the port cannot be bound. */
  startService(): Deferred<void> {
    this.running = true;
    const { interface: iface, port } = this.#address;
    return this.#reactor.listenUDP(port, this.#protocol, { interface: iface }).addCallbacks(
      (p: IListeningPort) => {
        this.#port = p;
      },
      (f): void => {
        this.running = false;
        f.raiseException();
      },
    );
  }

  /** Close the socket; fires once it is closed. */
  stopService(): Deferred<void> {
    this.running = false;
    const p = this.#port;
    this.#port = undefined;
    return p === undefined ? succeed(undefined) : p.stopListening();
  }
}
