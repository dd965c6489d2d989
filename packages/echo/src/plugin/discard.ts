/**
 * The `discard` plugin for `twist`: a Discard server (RFC 863) on TCP endpoints and, optionally,
 * UDP addresses.
 *
 *     twist discard                                   # tcp:8009
 *     twist discard -l tcp:9:interface=127.0.0.1 --udp 127.0.0.1:9
 *
 * @module
 */
import { Factory } from "@torsion/core";
import { Discard, DiscardDatagram } from "../discard.ts";
import type { ServiceMaker } from "./contract.ts";
import { listenOption, type StringListOption, udpOption } from "./options.ts";
import { serve } from "./serve.ts";

type Options = { listen: StringListOption; udp: StringListOption };

/** The `discard` service maker: `twist discard [-l ENDPOINT]... [-u [HOST:]PORT]...`. */
const plugin: ServiceMaker<Options> = {
  name: "discard",
  description: "A discard server (RFC 863).",
  options: { listen: listenOption(8009), udp: udpOption() },
  makeService(options, helpers) {
    return serve(
      helpers,
      options.listen,
      Factory.forProtocol(Discard),
      options.udp,
      () => new DiscardDatagram(),
    );
  },
};
export default plugin;
