/**
 * The `qotd-client` command: `qotd-client HOST:PORT [--timeout SECONDS]` prints a quote.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { IReactor, IStreamClientEndpoint } from "@torsion/core";
import { clientFromArgument } from "@torsion/core/endpoints";
import { getQuote } from "./client.ts";

const USAGE =
  "usage: qotd-client HOST:PORT [--timeout SECONDS]   (or a client endpoint: tcp:host=H:port=P)";

/** Where the command writes and which reactor it uses; `process`'s in the real command. */
export interface CommandIO {
  reactor: IReactor;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * Run `qotd-client` with `argv` (without the program name).
 *
 * @returns The exit code: 0 with the quote printed, 1 when no quote could be had (the reason on
 *   stderr), 2 for a usage error.
 */
export async function main(argv: readonly string[], io: CommandIO): Promise<number> {
  let endpoint: IStreamClientEndpoint;
  let timeout: number;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        timeout: { type: "string", short: "t", default: "30" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new TypeError("expected one HOST:PORT");
    timeout = Number(values.timeout);
    if (!(timeout > 0))
      throw new TypeError(`--timeout must be a positive number of seconds, not ${values.timeout}`);
    endpoint = clientFromArgument(io.reactor, positionals[0]!);
  } catch (e) {
    io.stderr.write(`qotd-client: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  try {
    const quote = await getQuote(endpoint, { timeout, clock: io.reactor });
    io.stdout.write(/\n$/.test(quote) ? quote : `${quote}\n`);
    return 0;
  } catch (e) {
    io.stderr.write(`qotd-client: no quote from ${argv.join(" ")}: ${(e as Error).message}\n`);
    return 1;
  }
}
