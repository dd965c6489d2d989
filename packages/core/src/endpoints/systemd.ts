/**
 * systemd socket activation: listening on a socket the service manager opened and handed
 * down (`LISTEN_FDS`), after Twisted's `ListenFDs`, `_SystemdParser` and
 * `AdoptedStreamServerEndpoint`.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import { AlreadyListened } from "../errors.ts";
import type {
  AddressFamily,
  IListeningPort,
  IProtocolFactory,
  IReactorSocket,
  IStreamServerEndpoint,
} from "../interfaces.ts";
import type { ShutdownHooks } from "../transport/port.ts";
import { adoptStreamPort } from "./adopt.ts";
import { attempt } from "./attempt.ts";

/**
 * The descriptors systemd passed to this process: `LISTEN_FDS` of them, numbered from 3,
 * named by `LISTEN_FDNAMES` (colon-separated), and only if `LISTEN_PID` is this process's pid
 * (so that children, who inherit the environment, do not take them too).
 */
export class ListenFDs {
  /** The first inherited descriptor (`SD_LISTEN_FDS_START`). */
  static readonly START = 3;
  readonly descriptors: readonly number[];
  readonly names: readonly string[];

  constructor(descriptors: readonly number[], names: readonly string[] = []) {
    this.descriptors = descriptors;
    this.names = names;
  }

  /**
   * Read `LISTEN_PID`, `LISTEN_FDS` and `LISTEN_FDNAMES` from `env` (default `process.env`).
   * Throws an `Error` saying what is wrong when they are present but inconsistent; returns
   * no descriptors when `LISTEN_FDS` is absent.
   */
  static fromEnvironment(
    env: NodeJS.ProcessEnv = process.env,
    pid: number = process.pid,
  ): ListenFDs {
    const count = env.LISTEN_FDS;
    if (count === undefined || count === "") return new ListenFDs([]);
    if (!/^\d+$/.test(count))
      throw new Error(`LISTEN_FDS is '${count}', not a number of descriptors`);
    if (env.LISTEN_PID !== String(pid)) {
      throw new Error(
        `LISTEN_PID is '${env.LISTEN_PID ?? ""}', not this process (${pid}): the descriptors are not ours`,
      );
    }
    const descriptors = Array.from({ length: Number(count) }, (_, i) => ListenFDs.START + i);
    const names = env.LISTEN_FDNAMES ? env.LISTEN_FDNAMES.split(":") : [];
    if (names.length !== 0 && names.length !== descriptors.length) {
      throw new Error(
        `LISTEN_FDNAMES names ${names.length} descriptors but LISTEN_FDS is ${count}`,
      );
    }
    return new ListenFDs(descriptors, names);
  }

  /** The descriptor at `index`; throws if there is none. */
  byIndex(index: number): number {
    const fd = this.descriptors[index];
    if (fd === undefined) {
      throw new Error(
        `No inherited descriptor at index ${index} (LISTEN_FDS is ${this.descriptors.length})`,
      );
    }
    return fd;
  }

  /** The descriptor named `name` (`FileDescriptorName=` in the socket unit); throws if there is none. */
  byName(name: string): number {
    const i = this.names.indexOf(name);
    if (i < 0)
      throw new Error(
        `No inherited descriptor named '${name}' (LISTEN_FDNAMES is '${this.names.join(":")}')`,
      );
    return this.descriptors[i] as number;
  }
}

/**
 * Listens on a socket opened outside this program, such as one inherited from systemd
 * (Twisted's `AdoptedStreamServerEndpoint`). It can listen once only. It uses the reactor's
 * {@link IReactorSocket.adoptStreamPort} if it has one; otherwise, for a reactor with system
 * event triggers (the Node reactor), it listens with `net.Server.listen({ fd })` itself.
 */
export class AdoptedStreamServerEndpoint implements IStreamServerEndpoint {
  readonly reactor: unknown;
  readonly fileno: number;
  readonly addressFamily: AddressFamily;
  #used = false;

  constructor(reactor: unknown, fileno: number, addressFamily: AddressFamily) {
    this.reactor = reactor;
    this.fileno = fileno;
    this.addressFamily = addressFamily;
  }

  /**
   * Listen on the adopted socket. Fires with the port; fails with `AlreadyListened` on a
   * second call, with `CannotListenError` if the descriptor is not a listening socket, or with
   * `TypeError` if the reactor can host no port. Never throws.
   */
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return attempt(() => {
      if (this.#used) throw new AlreadyListened();
      this.#used = true;
      const reactor = this.reactor as Partial<IReactorSocket & ShutdownHooks>;
      if (typeof reactor.adoptStreamPort === "function")
        return reactor.adoptStreamPort(this.fileno, this.addressFamily, factory);
      // Any reactor with shutdown triggers (the Node reactor) can host a port made here.
      if (
        typeof reactor.addSystemEventTrigger === "function" &&
        typeof reactor.removeSystemEventTrigger === "function"
      ) {
        return adoptStreamPort(reactor as ShutdownHooks, this.fileno, this.addressFamily, factory);
      }
      throw new TypeError(
        "This reactor cannot listen on an inherited socket (it has no adoptStreamPort)",
      );
    });
  }
}

const families: readonly string[] = ["INET", "INET6", "UNIX"];

/**
 * Make the endpoint for `systemd:domain=INET:index=0` or `systemd:domain=UNIX:name=web`:
 * exactly one of `index` and `name`, checked now against the environment.
 */
export function systemdEndpoint(
  reactor: unknown,
  domain: string,
  index: number | undefined,
  name: string | undefined,
  fds: ListenFDs = ListenFDs.fromEnvironment(),
): AdoptedStreamServerEndpoint {
  if (!families.includes(domain))
    throw new Error(`Unknown domain '${domain}' (expected INET, INET6 or UNIX)`);
  if ((index === undefined) === (name === undefined))
    throw new Error("Specify exactly one of descriptor index or name");
  const fd = index !== undefined ? fds.byIndex(index) : fds.byName(name as string);
  return new AdoptedStreamServerEndpoint(reactor, fd, domain as AddressFamily);
}
