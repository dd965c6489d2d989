#!/usr/bin/env node
/**
 * The `timestamp-client` executable: `timestamp-client [HOST:PORT]`.
 *
 * @module
 */
import { reactor } from "@torsion/core";
import { main } from "../cli.ts";

process.exitCode = await main(process.argv.slice(2), {
  reactor,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
