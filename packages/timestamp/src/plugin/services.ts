/**
 * Services the plugins need beyond the runner's `listen` helper: a UDP port and a group of
 * services. Written against the `IService` shape only, because a plugin must not import
 * `@torsion/application` at run time.
 *
 * @module
 */
import { isIP } from "node:net";
import {
  type Deferred,
  DeferredList,
  type IDatagramProtocol,
  type IListeningPort,
  type IReactorUDP,
  maybeDeferred,
  succeed,
} from "@torsion/core";
import type { IService } from "./contract.ts";

/** The IService bookkeeping shared by the two services below (no parent collection). */
abstract class BaseService implements IService {
  name: string | null = null;
  running = false;
  readonly parent: null = null;
  setName(name: string): void {
    this.name = name;
  }
  setServiceParent(parent: Parameters<IService["setServiceParent"]>[0]): void {
    parent.addService(this);
  }
  disownServiceParent(): void {}
  privilegedStartService(): void {}
  abstract startService(): Deferred<void>;
  abstract stopService(): Deferred<void>;
}

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
export class UDPService extends BaseService {
  readonly #reactor: IReactorUDP;
  readonly #address: { interface: string; port: number };
  readonly #protocol: IDatagramProtocol;
  #port: IListeningPort | undefined;

  constructor(reactor: IReactorUDP, address: string, protocol: IDatagramProtocol) {
    super();
    this.#reactor = reactor;
    this.#address = parseUDPAddress(address);
    this.#protocol = protocol;
  }

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

/** Starts its services in order and stops them in reverse, as a `MultiService` would. */
export class ServiceGroup extends BaseService {
  readonly #services: readonly IService[];

  constructor(services: readonly IService[]) {
    super();
    this.#services = services;
  }

  /** Start every service; fails with the first failure once every start has settled. */
  startService(): Deferred<void> {
    this.running = true;
    const ds = this.#services.map((s) => maybeDeferred(() => s.startService()));
    return new DeferredList(ds, { fireOnOneErrback: false, consumeErrors: true }).addCallback(
      (results) => {
        for (const [ok, value] of results) if (!ok) throw value;
      },
    );
  }

  /** Stop every service, last first; fires once all have stopped. */
  stopService(): Deferred<void> {
    this.running = false;
    const ds = [...this.#services].reverse().map((s) => maybeDeferred(() => s.stopService()));
    return new DeferredList(ds, { consumeErrors: true }).addCallback(() => undefined);
  }
}
