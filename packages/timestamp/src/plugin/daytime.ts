/**
 * The `daytime` plugin for `twist`: a Daytime server (RFC 867) on TCP endpoints and,
 * optionally, UDP addresses.
 *
 *     twist daytime                      # tcp:8013
 *     twist daytime -l tcp:13:interface=127.0.0.1 -u 127.0.0.1:13
 *
 * @module
 */
import type { ServiceMaker, StringListOption, StringOption } from "@torsion/application";
import { DatagramGuard, Factory } from "@torsion/core";
import { Daytime, DaytimeDatagram } from "../daytime.ts";
import { listenOption, udpOption, udpRateOption } from "./options.ts";

type Options = { listen: StringListOption; udp: StringListOption; "udp-rate": StringOption };

/** The `daytime` service maker: `twist daytime [-l ENDPOINT]... [-u [HOST:]PORT]...`. */
const plugin: ServiceMaker<Options> = {
  name: "daytime",
  description: "A Daytime server (RFC 867).",
  options: { listen: listenOption(8013), udp: udpOption(), "udp-rate": udpRateOption() },
  makeService({ listen, udp, "udp-rate": udpRate }, helpers) {
    const clock = helpers.reactor;
    const factory = Factory.forProtocol(Daytime, clock);
    return helpers.combine([
      ...udp.map((address) =>
        helpers.listenUDP(
          address,
          new DaytimeDatagram(clock, DatagramGuard.fromRateOption(udpRate, clock)),
        ),
      ),
      ...listen.map((endpoint) => helpers.listen(endpoint, factory)),
    ]);
  },
};
export default plugin;
