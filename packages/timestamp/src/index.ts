/**
 * `@torsion/timestamp`: the classic tutorial's timestamp server and client, and the Daytime
 * (RFC 867) and Time (RFC 868) services over TCP and UDP with their clients. The `twist`
 * plugins are in `@torsion/timestamp/plugin` (`timestamp`), `/plugin/daytime` and `/plugin/time`.
 *
 * @module
 */
export { ctime, parseAsctime } from "./ctime.ts";
export { TIMESTAMP_PORT, Timestamp } from "./timestamp.ts";
export type { TimestampOptions } from "./timestamp.ts";
export { TimestampClient } from "./timestamp-client.ts";
export {
  Daytime,
  DaytimeClient,
  DaytimeDatagram,
  DaytimeParseError,
  daytimeString,
  getDaytime,
  parseDaytime,
} from "./daytime.ts";
export {
  encodeTime,
  fromRFC868,
  getTime,
  RFC868_OFFSET,
  Time,
  TimeClient,
  TimeDatagram,
  toRFC868,
} from "./time.ts";
export type { RequestOptions } from "@torsion/core";
