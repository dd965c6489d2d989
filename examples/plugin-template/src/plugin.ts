/**
 * The `reverse` plugin: `twist reverse --listen tcp:8023`.
 *
 * Only types come from `@torsion/application` (a peer dependency): installing this package is
 * all `twist` needs to list and run the plugin, and library users who never run `twist` pay
 * nothing for it.
 *
 * @module
 */
import type { ServiceMaker } from "@torsion/application";
import { Factory } from "@torsion/core";
import { Reverse } from "./reverse.ts";

const options = {
  listen: {
    type: "string",
    short: "l",
    multiple: true,
    default: ["tcp:8023"],
    description: "Endpoint to listen on (repeatable)",
  },
} as const;

/** The service maker `twist` loads through this package's `"torsion"` metadata. */
const reverse: ServiceMaker<typeof options> = {
  name: "reverse",
  description: "A server that writes back each line reversed.",
  options,
  makeService(opts, { listen, combine }) {
    const factory = Factory.forProtocol(Reverse);
    return combine(opts.listen.map((endpoint) => listen(endpoint, factory)));
  },
};

export default reverse;
