/**
 * What every server plugin of this package does with its `listen` and `udp` options.
 *
 * @module
 */
import type { IDatagramProtocol, IProtocolFactory } from "@torsion/core";
import type { IService, ServiceMakerHelpers } from "./contract.ts";
import { ServiceGroup, UDPService } from "./services.ts";

/**
 * One service per TCP endpoint (through the runner's `listen`) and per UDP address (each with
 * its own datagram protocol); the single service itself when there is only one.
 *
 * @throws TypeError for a malformed UDP address, before anything is started.
 */
export function serve(
  helpers: ServiceMakerHelpers,
  endpoints: readonly string[],
  factory: IProtocolFactory,
  udp: readonly string[],
  datagramProtocol: () => IDatagramProtocol,
): IService {
  const services: IService[] = [
    ...endpoints.map((e) => helpers.listen(e, factory)),
    ...udp.map((a) => new UDPService(helpers.reactor, a, datagramProtocol())),
  ];
  if (services.length === 1) return services[0]!;
  return new ServiceGroup(services);
}
