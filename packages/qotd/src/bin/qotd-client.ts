#!/usr/bin/env node
/**
 * The `qotd-client` executable: `qotd-client HOST:PORT [--timeout SECONDS]`.
 *
 * @module
 */
import { reactor } from "@torsion/core";
import { main } from "../cli.ts";

process.exitCode = await main(process.argv.slice(2), {
  reactor,
  stdout: process.stdout,
  stderr: process.stderr,
});
