#!/usr/bin/env node
/**
 * The `create-torsion-plugin` command. See {@link main} for what it does and its exit codes.
 *
 * @module
 */
import { main } from "./main.ts";

process.exitCode = main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});
