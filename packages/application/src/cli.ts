#!/usr/bin/env node
/**
 * The `twist` command. See {@link main} for what it does and its exit codes.
 *
 * @module
 */
import { main } from "./runner/main.ts";

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // main() reports every error it expects; reaching here is a bug in twist. The stack only
    // with --log-level debug, as for every other failure.
    const debug = process.argv.includes("debug");
    const text = debug
      ? ((error as Error)?.stack ?? String(error))
      : `${(error as Error)?.message ?? String(error)} (run with --log-level debug for the stack trace)`;
    process.stderr.write(`twist: internal error, please report it: ${text}\n`);
    process.exit(70);
  },
);
