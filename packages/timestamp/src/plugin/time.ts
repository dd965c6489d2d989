/**
 * The `time` plugin for `twist`: a Time server (RFC 868) on TCP endpoints and,
 * optionally, UDP addresses.
 *
 *     twist time                      # tcp:8037
 *     twist time -l tcp:37:interface=127.0.0.1 -u 127.0.0.1:37
 *
 * @module
 */
import { Factory } from "@torsion/core";
import { Time, TimeDatagram } from "../time.ts";
import type { ServiceMaker } from "./contract.ts";
import { listenOption, type StringListOption, udpOption } from "./options.ts";
import { serve } from "./serve.ts";

type Options = { listen: StringListOption; udp: StringListOption };

/** The `time` service maker: `twist time [-l ENDPOINT]... [-u [HOST:]PORT]...`. */
const plugin: ServiceMaker<Options> = {
  name: "time",
  description: "A Time server (RFC 868).",
  options: { listen: listenOption(8037), udp: udpOption() },
  makeService(options, helpers) {
    const clock = helpers.reactor;
    return serve(
      helpers,
      options.listen,
      Factory.forProtocol(Time, clock),
      options.udp,
      () => new TimeDatagram(clock),
    );
  },
};
export default plugin;
