/**
 * What every template file is generated from.
 *
 * @module
 */
import type { VersionRanges } from "../versions.ts";

/** The framing of the scaffolded protocol: CRLF lines (`LineReceiver`) or raw bytes (`Protocol`). */
export type ProtocolKind = "line" | "raw";

/** The names and versions a scaffolded plugin is generated from. */
export interface TemplateContext {
  /** The npm package name (`torsion-plugin-reverse`). */
  readonly packageName: string;
  /** `twist <pluginName>`. */
  readonly pluginName: string;
  /** The protocol's class name (`Reverse`). */
  readonly className: string;
  readonly protocol: ProtocolKind;
  /** Ranges for `@torsion/*` and the dev tools. */
  readonly ranges: VersionRanges;
}

/** One line saying what the scaffolded server does, for package.json, the plugin and the README. */
export function serverDescription(ctx: TemplateContext): string {
  return ctx.protocol === "line"
    ? "A server that writes back each line reversed."
    : "A server that writes back every byte it receives, ROT13-encoded.";
}
