/**
 * {@link MemoryReactor} and {@link MemoryReactorClock}: reactors that record listen and connect
 * calls instead of touching the network, after Twisted's `twisted.internet.testing`.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import { succeed } from "../deferred/helpers.ts";
import type {
  ConnectTCPOptions,
  ConnectUNIXOptions,
  IAddress,
  IConnector,
  IDatagramProtocol,
  IDelayedCall,
  IListeningPort,
  IProtocolFactory,
  IReactor,
  IReactorCore,
  IReactorSSL,
  IReactorTCP,
  IReactorUDP,
  IReactorUNIX,
  ListenTCPOptions,
  ListenUDPOptions,
  ListenUNIXOptions,
  SystemEvent,
  SystemEventPhase,
  TLSOptions,
} from "../interfaces.ts";
import { isClientFactory } from "../protocol/factory.ts";
import { IPv4Address, IPv6Address, UNIXAddress } from "../transport/address.ts";
import { Clock } from "./clock.ts";

/** A `listenTCP` call recorded by {@link MemoryReactor}. */
export interface TCPServerCall {
  port: number;
  factory: IProtocolFactory;
  backlog: number;
  interface: string;
}
/** A `connectTCP` call recorded by {@link MemoryReactor}. */
export interface TCPClientCall {
  host: string;
  port: number;
  factory: IProtocolFactory;
  timeout: number;
  bindAddress: string | readonly [string, number] | undefined;
}
/** A `listenSSL` call recorded by {@link MemoryReactor}. */
export interface SSLServerCall extends TCPServerCall {
  contextFactory: TLSOptions;
}
/** A `connectSSL` call recorded by {@link MemoryReactor}. */
export interface SSLClientCall extends TCPClientCall {
  contextFactory: TLSOptions;
}
/** A `listenUNIX` call recorded by {@link MemoryReactor}. */
export interface UNIXServerCall {
  path: string;
  factory: IProtocolFactory;
  backlog: number;
  mode: number;
  wantPID: boolean;
}
/** A `connectUNIX` call recorded by {@link MemoryReactor}. */
export interface UNIXClientCall {
  path: string;
  factory: IProtocolFactory;
  timeout: number;
  checkPID: boolean;
}
/** A `listenUDP` call recorded by {@link MemoryReactor}. */
export interface UDPServerCall {
  port: number;
  protocol: IDatagramProtocol;
  interface: string;
  maxPacketSize: number;
}

/** The port returned by {@link MemoryReactor}'s listen methods: it listens on nothing. */
export class MemoryPort implements IListeningPort {
  /** `true` until {@link MemoryPort.stopListening}. */
  listening = true;
  readonly #host: IAddress;

  constructor(host: IAddress) {
    this.#host = host;
  }

  /** The address the listen call asked for. */
  getHost(): IAddress {
    return this.#host;
  }

  /** Mark the port stopped; fires at once. */
  stopListening(): Deferred<void> {
    this.listening = false;
    return succeed(undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stopListening();
  }
}

/** The connector returned by {@link MemoryReactor}'s connect methods: it connects to nothing. */
export class MemoryConnector implements IConnector {
  /** `true` once `stopConnecting` was called. */
  stoppedConnecting = false;
  /** `true` once `disconnect` was called. */
  disconnected = false;
  /** How many times `connect` was called (a reconnecting factory calls it to retry). */
  connectCalls = 0;
  readonly #destination: IAddress;

  constructor(destination: IAddress) {
    this.#destination = destination;
  }

  stopConnecting(): void {
    this.stoppedConnecting = true;
  }

  disconnect(): void {
    this.disconnected = true;
  }

  connect(): void {
    this.connectCalls++;
  }

  getDestination(): IAddress {
    return this.#destination;
  }
}

/** A system event trigger recorded by {@link MemoryReactor.addSystemEventTrigger}. */
export interface RecordedTrigger {
  phase: SystemEventPhase;
  event: SystemEvent;
  fn: (...args: any[]) => unknown;
  args: unknown[];
}

function tcpAddress(host: string, port: number): IAddress {
  return host.includes(":")
    ? new IPv6Address("TCP", host, port)
    : new IPv4Address("TCP", host, port);
}

/**
 * A reactor that records every listen and connect call in public arrays and returns ports and
 * connectors that do nothing; no connection is ever made (complete one yourself by building the
 * recorded factory's protocol and attaching a `StringTransport`, or use
 * `connectedServerAndClient`). Connect methods call the factory's `startedConnecting`, as a
 * real reactor does; listen methods fire their Deferred at once with a {@link MemoryPort}.
 *
 * {@link MemoryReactor.run} runs the `callWhenRunning` hooks and stops at once. System event
 * triggers are recorded and run by `fireSystemEvent`, synchronously, in phase order (a
 * `before` trigger's returned Deferred is not waited for). For time, use
 * {@link MemoryReactorClock}.
 */
export class MemoryReactor
  implements IReactorCore, IReactorTCP, IReactorUNIX, IReactorUDP, IReactorSSL
{
  /** `true` inside {@link MemoryReactor.run}. */
  running = false;
  /** `true` once `run` was called. */
  hasRun = false;
  /** `true` once `stop` was called. */
  hasStopped = false;
  /** Hooks given to `callWhenRunning`, run by `run`. */
  readonly whenRunningHooks: Array<{ fn: (...args: any[]) => unknown; args: unknown[] }> = [];
  readonly tcpServers: TCPServerCall[] = [];
  readonly tcpClients: TCPClientCall[] = [];
  readonly sslServers: SSLServerCall[] = [];
  readonly sslClients: SSLClientCall[] = [];
  readonly unixServers: UNIXServerCall[] = [];
  readonly unixClients: UNIXClientCall[] = [];
  readonly udpServers: UDPServerCall[] = [];
  /** Every connector returned, in order. */
  readonly connectors: MemoryConnector[] = [];
  readonly #triggers = new Map<number, RecordedTrigger>();
  #nextTriggerId = 1;

  /** Every trigger added and not removed, in the order added. */
  get triggers(): ReadonlyArray<Readonly<RecordedTrigger>> {
    return [...this.#triggers.values()];
  }

  /** Run the `callWhenRunning` hooks, then stop. */
  async run(): Promise<void> {
    this.running = true;
    this.hasRun = true;
    for (const { fn, args } of this.whenRunningHooks.splice(0)) fn(...args);
    if (this.running) this.stop();
  }

  /** Set `running` to `false` and `hasStopped` to `true`. */
  stop(): void {
    this.running = false;
    this.hasStopped = true;
  }

  /** Record the hook (run now if `run` is in progress). */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    if (this.running) fn(...args);
    else this.whenRunningHooks.push({ fn: fn as (...args: any[]) => unknown, args });
  }

  /** Record a trigger; returns its id. */
  addSystemEventTrigger<A extends unknown[]>(
    phase: SystemEventPhase,
    event: SystemEvent,
    fn: (...args: A) => unknown,
    ...args: A
  ): number {
    const id = this.#nextTriggerId++;
    this.#triggers.set(id, { phase, event, fn: fn as (...args: any[]) => unknown, args });
    return id;
  }

  /** Forget a trigger. */
  removeSystemEventTrigger(id: unknown): void {
    this.#triggers.delete(id as number);
  }

  /** Run `event`'s triggers synchronously, `before`, then `during`, then `after`. */
  fireSystemEvent(event: SystemEvent): Deferred<void> {
    for (const phase of ["before", "during", "after"] as const) {
      for (const t of [...this.#triggers.values()]) {
        if (t.phase === phase && t.event === event) t.fn(...t.args);
      }
    }
    return succeed(undefined);
  }

  /** Record the call; fires with a port on `0.0.0.0:port` (or the IPv6 interface asked for). */
  listenTCP(
    port: number,
    factory: IProtocolFactory,
    options: ListenTCPOptions = {},
  ): Deferred<IListeningPort> {
    const iface = options.interface ?? "";
    this.tcpServers.push({ port, factory, backlog: options.backlog ?? 50, interface: iface });
    const host = iface.includes(":")
      ? new IPv6Address("TCP", iface, port)
      : new IPv4Address("TCP", "0.0.0.0", port);
    return succeed(new MemoryPort(host));
  }

  /** Record the call, tell the factory `startedConnecting`, and return a connector that does nothing. */
  connectTCP(
    host: string,
    port: number,
    factory: IProtocolFactory,
    options: ConnectTCPOptions = {},
  ): MemoryConnector {
    this.tcpClients.push({
      host,
      port,
      factory,
      timeout: options.timeout ?? 30,
      bindAddress: options.bindAddress,
    });
    return this.#connector(tcpAddress(host, port), factory);
  }

  /** Record the call; fires with a port on `0.0.0.0:port`. */
  listenSSL(
    port: number,
    factory: IProtocolFactory,
    contextFactory: TLSOptions,
    options: ListenTCPOptions = {},
  ): Deferred<IListeningPort> {
    const iface = options.interface ?? "";
    this.sslServers.push({
      port,
      factory,
      contextFactory,
      backlog: options.backlog ?? 50,
      interface: iface,
    });
    return succeed(new MemoryPort(new IPv4Address("TCP", "0.0.0.0", port)));
  }

  /** Record the call, tell the factory `startedConnecting`, and return a connector that does nothing. */
  connectSSL(
    host: string,
    port: number,
    factory: IProtocolFactory,
    contextFactory: TLSOptions,
    options: ConnectTCPOptions = {},
  ): MemoryConnector {
    this.sslClients.push({
      host,
      port,
      factory,
      contextFactory,
      timeout: options.timeout ?? 30,
      bindAddress: options.bindAddress,
    });
    return this.#connector(tcpAddress(host, port), factory);
  }

  /** Record the call; fires with a port on the path. */
  listenUNIX(
    path: string,
    factory: IProtocolFactory,
    options: ListenUNIXOptions = {},
  ): Deferred<IListeningPort> {
    this.unixServers.push({
      path,
      factory,
      backlog: options.backlog ?? 50,
      mode: options.mode ?? 0o666,
      wantPID: options.wantPID ?? false,
    });
    return succeed(new MemoryPort(new UNIXAddress(path)));
  }

  /** Record the call, tell the factory `startedConnecting`, and return a connector that does nothing. */
  connectUNIX(
    path: string,
    factory: IProtocolFactory,
    options: ConnectUNIXOptions = {},
  ): MemoryConnector {
    this.unixClients.push({
      path,
      factory,
      timeout: options.timeout ?? 30,
      checkPID: options.checkPID ?? false,
    });
    return this.#connector(new UNIXAddress(path), factory);
  }

  /** Record the call; fires with a port on `0.0.0.0:port`. The protocol is not started. */
  listenUDP(
    port: number,
    protocol: IDatagramProtocol,
    options: ListenUDPOptions = {},
  ): Deferred<IListeningPort> {
    const iface = options.interface ?? "";
    this.udpServers.push({
      port,
      protocol,
      interface: iface,
      maxPacketSize: options.maxPacketSize ?? 8192,
    });
    const host = iface.includes(":")
      ? new IPv6Address("UDP", iface, port)
      : new IPv4Address("UDP", "0.0.0.0", port);
    return succeed(new MemoryPort(host));
  }

  #connector(destination: IAddress, factory: IProtocolFactory): MemoryConnector {
    const connector = new MemoryConnector(destination);
    if (isClientFactory(factory)) factory.startedConnecting(connector);
    this.connectors.push(connector);
    return connector;
  }
}

/**
 * A {@link MemoryReactor} that is also a {@link Clock}: a complete {@link IReactor} for tests,
 * whose time moves only by {@link MemoryReactorClock.advance}.
 */
export class MemoryReactorClock extends MemoryReactor implements IReactor {
  /** The clock behind `seconds`/`callLater`; exposed for code that wants a `Clock`. */
  readonly clock: Clock = new Clock();

  seconds(): number {
    return this.clock.seconds();
  }

  callLater<A extends unknown[]>(
    delay: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): IDelayedCall {
    return this.clock.callLater(delay, fn, ...args);
  }

  getDelayedCalls(): IDelayedCall[] {
    return this.clock.getDelayedCalls();
  }

  /** Move time forward by `amount` seconds, running what is due (see {@link Clock.advance}). */
  advance(amount: number): void {
    this.clock.advance(amount);
  }

  /** Advance by each of `timings` in turn. */
  pump(timings: Iterable<number>): void {
    this.clock.pump(timings);
  }
}
