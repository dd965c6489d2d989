/**
 * Listening on an inherited socket with the Node reactor's port machinery, for reactors that
 * have no `adoptStreamPort` of their own (Twisted's `IReactorSocket.adoptStreamPort`).
 *
 * @module
 * @internal
 */
import * as net from "node:net";
import type { Deferred } from "../deferred/deferred.ts";
import type { AddressFamily, IAddress, IListeningPort, IProtocolFactory } from "../interfaces.ts";
import { tcpPeer } from "../reactor/tcp.ts";
import { cannotListen } from "../system-errors.ts";
import { addressFor, UNIXAddress } from "../transport/address.ts";
import { type PortAddress, type ShutdownHooks, StreamPort } from "../transport/port.ts";

function hostOf(server: net.Server): PortAddress {
  const a = server.address();
  if (a === null || typeof a === "string") return new UNIXAddress(a || null);
  return addressFor("TCP", a.address, a.port, a.family);
}

/**
 * Listen on `fd`, a bound and listening stream socket of `family`, through `net.Server`'s
 * `listen({ fd })`. The port closes at reactor shutdown as any other port does.
 *
 * @returns A Deferred firing with the port, or failing with `CannotListenError`.
 */
export function adoptStreamPort(
  hooks: ShutdownHooks,
  fd: number,
  family: AddressFamily,
  factory: IProtocolFactory,
): Deferred<IListeningPort> {
  const unix = family === "UNIX";
  const server = net.createServer({ allowHalfOpen: true });
  const config = {
    server,
    connectionEvent: "connection",
    label: unix ? "UNIX" : "TCP",
    listen: (s: net.Server) => s.listen({ fd }),
    hostAddress: hostOf,
    peerAddress: (socket: net.Socket): IAddress => (unix ? new UNIXAddress(null) : tcpPeer(socket)),
    listenError: (err: NodeJS.ErrnoException) =>
      cannotListen("", `inherited descriptor ${fd}`, err),
  };
  return new StreamPort(config, factory, hooks).start();
}
