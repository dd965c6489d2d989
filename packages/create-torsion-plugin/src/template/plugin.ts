/**
 * The scaffolded service maker (`src/plugin.ts`).
 *
 * @module
 */
import { serverDescription, type TemplateContext } from "./context.ts";

/** The port a scaffolded plugin listens on unless told otherwise. */
export const DEFAULT_PORT = 8023;

/** `src/plugin.ts`: the service maker `twist` loads, default-exported. */
export function pluginSource(ctx: TemplateContext): string {
  const c = ctx.className;
  const v = camel(ctx.pluginName);
  return `/**
 * The \`${ctx.pluginName}\` plugin: \`twist ${ctx.pluginName} --listen tcp:${DEFAULT_PORT}\`.
 *
 * Only types come from \`@torsion/application\` (a peer dependency): installing this package is
 * all \`twist\` needs to list and run the plugin, and library users who never run \`twist\` pay
 * nothing for it.
 *
 * @module
 */
import type { ServiceMaker } from "@torsion/application";
import { Factory } from "@torsion/core";
import { ${c} } from "./${ctx.pluginName}.ts";

const options = {
  listen: {
    type: "string",
    short: "l",
    multiple: true,
    default: ["tcp:${DEFAULT_PORT}"],
    description: "Endpoint to listen on (repeatable)",
  },
} as const;

/** The service maker \`twist\` loads through this package's \`"torsion"\` metadata. */
const ${v}: ServiceMaker<typeof options> = {
  name: "${ctx.pluginName}",
  description: "${serverDescription(ctx)}",
  options,
  makeService(opts, { listen, combine }) {
    const factory = Factory.forProtocol(${c});
    return combine(opts.listen.map((endpoint) => listen(endpoint, factory)));
  },
};

export default ${v};
`;
}

/** A plugin name as a variable name: `my-proto` → `myProto`. */
export function camel(pluginName: string): string {
  return pluginName.replace(/-([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
}
