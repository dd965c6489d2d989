/**
 * The `echo` plugin for `twist`: an Echo server (RFC 862) on TCP endpoints and, optionally,
 * UDP addresses.
 *
 *     twist echo                                   # tcp:8007
 *     twist echo -l tcp:7:interface=127.0.0.1 --udp 127.0.0.1:7
 *
 * @module
 */
import type { ServiceMaker, StringListOption, StringOption } from "@torsion/application";
import { DatagramGuard, Factory } from "@torsion/core";
import { Echo, EchoDatagram } from "../echo.ts";
import { listenOption, udpOption, udpRateOption } from "./options.ts";

type Options = { listen: StringListOption; udp: StringListOption; "udp-rate": StringOption };

/** The `echo` service maker: `twist echo [-l ENDPOINT]... [-u [HOST:]PORT]...`. */
const plugin: ServiceMaker<Options> = {
  name: "echo",
  description: "An echo server (RFC 862).",
  options: { listen: listenOption(8007), udp: udpOption(), "udp-rate": udpRateOption() },
  makeService({ listen, udp, "udp-rate": udpRate }, helpers) {
    const factory = Factory.forProtocol(Echo);
    return helpers.combine([
      ...udp.map((address) =>
        helpers.listenUDP(
          address,
          new EchoDatagram(DatagramGuard.fromRateOption(udpRate, helpers.reactor)),
        ),
      ),
      ...listen.map((endpoint) => helpers.listen(endpoint, factory)),
    ]);
  },
};
export default plugin;
