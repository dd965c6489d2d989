/**
 * The scaffolded protocol (`src/<plugin>.ts`) and its index (`src/index.ts`).
 *
 * @module
 */
import type { TemplateContext } from "./context.ts";

/** `src/<plugin>.ts`: the protocol class, a `LineReceiver` or a raw `Protocol`. */
export function protocolSource(ctx: TemplateContext): string {
  const c = ctx.className;
  if (ctx.protocol === "line") {
    return `/**
 * {@link ${c}}: the protocol of this plugin.
 *
 * @module
 */
import { LineReceiver } from "@torsion/basic";

/**
 * Writes back each line it receives, reversed (by Unicode code point, so "héllo" becomes
 * "olléh"). Lines end with CRLF, as \`LineReceiver\`'s do; a line longer than \`MAX_LENGTH\`
 * closes the connection.
 */
export class ${c} extends LineReceiver {
  override lineReceived(line: Buffer): void {
    this.sendLine([...line.toString("utf8")].reverse().join(""));
  }
}
`;
  }
  return `/**
 * {@link ${c}}: the protocol of this plugin.
 *
 * @module
 */
import { Protocol } from "@torsion/core";

/** ROT13 of one byte: ASCII letters move 13 places, every other byte is left alone. */
function rot13(byte: number): number {
  const base = byte >= 0x61 && byte <= 0x7a ? 0x61 : byte >= 0x41 && byte <= 0x5a ? 0x41 : -1;
  return base < 0 ? byte : base + ((byte - base + 13) % 26);
}

/**
 * Writes back every byte it receives, ROT13-encoded, as soon as it arrives. Each byte is
 * handled alone, so how TCP splits the stream into chunks never changes the reply.
 */
export class ${c} extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data.map(rot13));
  }
}
`;
}

/** \`src/index.ts\`: the protocol, for use without \`twist\`. */
export function indexSource(ctx: TemplateContext): string {
  return `/**
 * \`${ctx.packageName}\`: the {@link ${ctx.className}} protocol, usable without \`twist\`.
 *
 * @module
 */
export { ${ctx.className} } from "./${ctx.pluginName}.ts";
`;
}
