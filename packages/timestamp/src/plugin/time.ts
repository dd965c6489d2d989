/**
 * The `time` plugin for `twist`: a Time server (RFC 868) on TCP endpoints and,
 * optionally, UDP addresses.
 *
 *     twist time                      # tcp:8037
 *     twist time -l tcp:37:interface=127.0.0.1 -u 127.0.0.1:37
 *
 * @module
 */
import type { ServiceMaker, StringListOption, StringOption } from "@torsion/application";
import { DatagramGuard, Factory } from "@torsion/core";
import { Time, TimeDatagram } from "../time.ts";
import { listenOption, udpOption, udpRateOption } from "./options.ts";

type Options = { listen: StringListOption; udp: StringListOption; "udp-rate": StringOption };

/** The `time` service maker: `twist time [-l ENDPOINT]... [-u [HOST:]PORT]...`. */
const plugin: ServiceMaker<Options> = {
  name: "time",
  description: "A Time server (RFC 868).",
  options: { listen: listenOption(8037), udp: udpOption(), "udp-rate": udpRateOption() },
  makeService({ listen, udp, "udp-rate": udpRate }, helpers) {
    const clock = helpers.reactor;
    const factory = Factory.forProtocol(Time, clock);
    return helpers.combine([
      ...udp.map((address) =>
        helpers.listenUDP(
          address,
          new TimeDatagram(clock, DatagramGuard.fromRateOption(udpRate, clock)),
        ),
      ),
      ...listen.map((endpoint) => helpers.listen(endpoint, factory)),
    ]);
  },
};
export default plugin;
