/**
 * `create-torsion-plugin`: scaffold a standalone Torsion plugin package. The command is
 * `npm create torsion-plugin <directory>`; the same is callable from code as {@link scaffold}.
 *
 * @module
 */
export { EXIT_USAGE, main, USAGE } from "./main.ts";
export type { MainIO } from "./main.ts";
export { checkPackageName, checkPluginName, InvalidNameError } from "./names.ts";
export { DirectoryNotEmptyError, scaffold } from "./scaffold.ts";
export type { ScaffoldOptions, ScaffoldResult } from "./scaffold.ts";
export type { ProtocolKind } from "./template/context.ts";
export { PINNED_PACKAGES, versionRanges } from "./versions.ts";
export type { VersionRanges } from "./versions.ts";
