#!/usr/bin/env node
/**
 * The `twist` command. See {@link main} for what it does and its exit codes.
 *
 * @module
 */
import { registerStandardIOEndpoint } from "@torsion/process";
import { main } from "./runner/main.ts";

registerStandardIOEndpoint(); // `--listen stdio:`: serve on stdin/stdout (inetd, socat EXEC:)

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // main() reports every error it expects; reaching here is a bug in twist.
    process.stderr.write(
      `twist: internal error, please report it: ${(error as Error)?.stack ?? String(error)}\n`,
    );
    process.exit(70);
  },
);
