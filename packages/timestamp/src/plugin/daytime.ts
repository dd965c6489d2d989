/**
 * The `daytime` plugin for `twist`: a Daytime server (RFC 867) on TCP endpoints and,
 * optionally, UDP addresses.
 *
 *     twist daytime                      # tcp:8013
 *     twist daytime -l tcp:13:interface=127.0.0.1 -u 127.0.0.1:13
 *
 * @module
 */
import { Factory } from "@torsion/core";
import { Daytime, DaytimeDatagram } from "../daytime.ts";
import type { ServiceMaker } from "./contract.ts";
import { listenOption, type StringListOption, udpOption } from "./options.ts";
import { serve } from "./serve.ts";

type Options = { listen: StringListOption; udp: StringListOption };

/** The `daytime` service maker: `twist daytime [-l ENDPOINT]... [-u [HOST:]PORT]...`. */
const plugin: ServiceMaker<Options> = {
  name: "daytime",
  description: "A Daytime server (RFC 867).",
  options: { listen: listenOption(8013), udp: udpOption() },
  makeService(options, helpers) {
    const clock = helpers.reactor;
    return serve(
      helpers,
      options.listen,
      Factory.forProtocol(Daytime, clock),
      options.udp,
      () => new DaytimeDatagram(clock),
    );
  },
};
export default plugin;
