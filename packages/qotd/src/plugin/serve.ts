/**
 * What every server plugin of this package does with its `listen` and `udp` options.
 *
 * @module
 */
import type { IDatagramProtocol, IProtocolFactory } from "@torsion/core";
import type { IService, ServiceMakerHelpers } from "./contract.ts";
import { UDPService } from "./services.ts";

/**
 * One service per TCP endpoint (through the runner's `listen`) and per UDP address (each with
 * its own datagram protocol), combined by the runner (the single service itself when only one).
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
    ...udp.map((a) => new UDPService(helpers.reactor, a, datagramProtocol())),
    ...endpoints.map((e) => helpers.listen(e, factory)),
  ];
  return helpers.combine(services);
}
