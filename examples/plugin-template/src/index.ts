/**
 * `torsion-plugin-reverse`: the {@link Reverse} protocol, usable without `twist`.
 *
 * @module
 */
export { Reverse } from "./reverse.ts";
