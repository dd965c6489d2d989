/**
 * `@torsion/echo`: the Echo (RFC 862) and Discard (RFC 863) services over TCP and UDP, and an
 * echo client. The `twist` plugins are in `@torsion/echo/plugin` (`echo`) and
 * `@torsion/echo/plugin/discard` (`discard`).
 *
 * @module
 */
export { Echo, EchoDatagram } from "./echo.ts";
export { Discard, DiscardDatagram } from "./discard.ts";
export { EchoClient, echo } from "./client.ts";
export type { RequestOptions } from "@torsion/core";
