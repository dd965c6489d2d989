/**
 * The `timestamp` plugin for `twist`: the tutorial's timestamp server (`[<ctime>] <data>`).
 *
 *     twist timestamp                    # tcp:21567, local time
 *     twist timestamp --time-zone UTC -l tcp:21567:interface=127.0.0.1
 *
 * TCP only: the service answers chunks of a stream, which UDP does not have.
 *
 * @module
 */
import type { OptionalStringOption, ServiceMaker, StringListOption } from "@torsion/application";
import { Factory } from "@torsion/core";
import { TIMESTAMP_PORT, Timestamp } from "../timestamp.ts";
import { listenOption } from "./options.ts";

type Options = { listen: StringListOption; "time-zone": OptionalStringOption };

/** The `timestamp` service maker: `twist timestamp [-l ENDPOINT]... [--time-zone ZONE]`. */
const plugin: ServiceMaker<Options> = {
  name: "timestamp",
  description: "The tutorial's timestamp server: replies [ctime] data.",
  options: {
    listen: listenOption(TIMESTAMP_PORT),
    "time-zone": {
      type: "string",
      short: "z",
      description: "Time zone of the stamps: UTC or an IANA name (default: local time)",
    },
  },
  makeService(options, helpers) {
    const timeZone = options["time-zone"];
    // Construct one now so that an unknown zone stops the service from being made.
    new Timestamp({ clock: helpers.reactor, timeZone });
    const factory = Factory.forProtocol(Timestamp, { clock: helpers.reactor, timeZone });
    return helpers.combine(options.listen.map((e) => helpers.listen(e, factory)));
  },
};
export default plugin;
