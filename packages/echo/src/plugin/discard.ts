/**
 * The `discard` plugin for `twist`: a Discard server (RFC 863) on TCP endpoints and, optionally,
 * UDP addresses.
 *
 *     twist discard                                   # tcp:8009
 *     twist discard -l tcp:9:interface=127.0.0.1 --udp 127.0.0.1:9
 *
 * @module
 */
import type { ServiceMaker, StringListOption } from "@torsion/application";
import { Factory } from "@torsion/core";
import { Discard, DiscardDatagram } from "../discard.ts";
import { listenOption, udpOption } from "./options.ts";

type Options = { listen: StringListOption; udp: StringListOption };

/** The `discard` service maker: `twist discard [-l ENDPOINT]... [-u [HOST:]PORT]...`. */
const plugin: ServiceMaker<Options> = {
  name: "discard",
  description: "A discard server (RFC 863).",
  options: { listen: listenOption(8009), udp: udpOption() },
  makeService({ listen, udp }, helpers) {
    const factory = Factory.forProtocol(Discard);
    return helpers.combine([
      ...udp.map((address) => helpers.listenUDP(address, new DiscardDatagram())),
      ...listen.map((endpoint) => helpers.listen(endpoint, factory)),
    ]);
  },
};
export default plugin;
