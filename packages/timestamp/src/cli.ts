/**
 * The `timestamp-client` command: the tutorial's client. Reads lines at a `> ` prompt, sends
 * each (without its newline), prints each reply, and quits on an empty line or end of input.
 *
 * Standard input is read with `node:readline` directly (no `StandardIO` transport needed for a
 * prompt), one line at a time: the next line is sent only once the previous reply came back.
 *
 * @module
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { parseArgs } from "node:util";
import {
  connectProtocol,
  type Failure,
  type IReactor,
  type IStreamClientEndpoint,
} from "@torsion/core";
import { clientFromArgument } from "@torsion/core/endpoints";
import { TIMESTAMP_PORT } from "./timestamp.ts";
import { TimestampClient } from "./timestamp-client.ts";

const USAGE = `usage: timestamp-client [HOST:PORT]   (default 127.0.0.1:${TIMESTAMP_PORT}; or a client endpoint: tcp:host=H:port=P)`;

/** Where the command reads and writes and which reactor it uses; `process`'s in the real command. */
export interface CommandIO {
  reactor: IReactor;
  stdin: Readable;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * Run `timestamp-client` with `argv` (without the program name).
 *
 * @returns The exit code: 0 after an empty line or end of input, 1 when the connection could
 *   not be made or was lost (the reason on stderr), 2 for a usage error.
 */
export async function main(argv: readonly string[], io: CommandIO): Promise<number> {
  let endpoint: IStreamClientEndpoint;
  const target = argv[0] ?? `127.0.0.1:${TIMESTAMP_PORT}`;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { help: { type: "boolean", short: "h" } },
    });
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length > 1) throw new TypeError("expected at most one HOST:PORT");
    endpoint = clientFromArgument(io.reactor, target);
  } catch (e) {
    io.stderr.write(`timestamp-client: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }

  const client = new TimestampClient();
  client.extraReceived = (data) => io.stdout.write(`${data.toString()}\n`);
  try {
    await connectProtocol(endpoint, client);
  } catch (e) {
    io.stderr.write(`timestamp-client: cannot connect to ${target}: ${(e as Error).message}\n`);
    return 1;
  }

  const rl = createInterface({ input: io.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  let quitting = false;
  // A connection lost while we wait for a line must end the wait: race each read against it.
  const lost = client.closed.then(() => ({ lost: client.closeReason as Failure }));
  try {
    for (;;) {
      io.stdout.write("> ");
      const next = await Promise.race([lines.next(), lost]);
      if ("lost" in next) throw next.lost.value;
      if (next.done || next.value === "") {
        quitting = true;
        break;
      }
      const reply = await Promise.race([client.send(next.value).then((r) => ({ reply: r })), lost]);
      if ("lost" in reply) throw reply.lost.value;
      io.stdout.write(`${reply.reply.toString()}\n`);
    }
  } catch (e) {
    io.stderr.write(`\ntimestamp-client: connection to ${target} lost: ${(e as Error).message}\n`);
    return 1;
  } finally {
    rl.close();
    if (quitting) {
      client.transport.loseConnection();
      await client.closed;
    }
  }
  return 0;
}
