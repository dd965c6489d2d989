/**
 * The `daytime` plugin for `twist`: a Daytime server (RFC 867) on TCP endpoints and,
 * optionally, UDP addresses.
 *
 *     twist daytime                      # tcp:8013
 *     twist daytime -l tcp:13:interface=127.0.0.1 -u 127.0.0.1:13
 *
 * @module
 */
import type { ServiceMaker, StringListOption } from "@torsion/application";
import { Factory } from "@torsion/core";
import { Daytime, DaytimeDatagram } from "../daytime.ts";
import { listenOption, udpOption } from "./options.ts";

type Options = { listen: StringListOption; udp: StringListOption };

/** The `daytime` service maker: `twist daytime [-l ENDPOINT]... [-u [HOST:]PORT]...`. */
const plugin: ServiceMaker<Options> = {
  name: "daytime",
  description: "A Daytime server (RFC 867).",
  options: { listen: listenOption(8013), udp: udpOption() },
  makeService({ listen, udp }, helpers) {
    const clock = helpers.reactor;
    const factory = Factory.forProtocol(Daytime, clock);
    return helpers.combine([
      ...udp.map((address) => helpers.listenUDP(address, new DaytimeDatagram(clock))),
      ...listen.map((endpoint) => helpers.listen(endpoint, factory)),
    ]);
  },
};
export default plugin;
