/**
 * An echo server for text: input is decoded as UTF-8 and echoed back line by line; a line that
 * is not valid UTF-8 is answered with "error: could not decode" and dropped; a line starting
 * with `LOGOFF` closes the connection.
 *
 *     node examples/dist/echo-server/echo-utf8.js [endpoint]   # default tcp:8000:interface=127.0.0.1
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { Factory, Protocol, reactor, serverFromString } from "@torsion/core";

const NEWLINE = 0x0a;

/**
 * Decodes with a streaming, fatal `TextDecoder`, so a character split across reads is fine and
 * invalid bytes are caught. Input is cut at newline bytes before decoding (0x0A never occurs
 * inside a multi-byte UTF-8 sequence), so the reply does not depend on how the input was split.
 */
export class Utf8Echo extends Protocol {
  /** Longest line accepted, in UTF-16 code units; a longer one closes the connection. */
  maxLength = 16384;
  #decoder = new TextDecoder("utf-8", { fatal: true });
  #line = "";
  /** After a decoding error, drop bytes up to the end of that line. */
  #skipping = false;
  /** Set once we closed the connection: read nothing more. */
  #closing = false;

  override dataReceived(data: Buffer): void {
    let start = 0;
    while (start < data.length) {
      if (this.#closing) return;
      const nl = data.indexOf(NEWLINE, start);
      const end = nl < 0 ? data.length : nl + 1;
      this.#segment(data.subarray(start, end), nl >= 0);
      start = end;
    }
  }

  /** `bytes` is the rest of a line (ending with "\n" when `complete`) or a piece of one. */
  #segment(bytes: Buffer, complete: boolean): void {
    if (this.#skipping) {
      if (complete) this.#skipping = false;
      return;
    }
    try {
      this.#line += this.#decoder.decode(bytes, { stream: !complete });
    } catch {
      this.#decoder = new TextDecoder("utf-8", { fatal: true });
      this.#line = "";
      this.#skipping = !complete;
      this.transport.write("error: could not decode\n");
      return;
    }
    if (complete) {
      const line = this.#line;
      this.#line = "";
      this.lineReceived(line);
    } else if (this.#line.length > this.maxLength) {
      this.transport.write("error: line too long\n");
      this.#closing = true;
      this.transport.loseConnection();
    }
  }

  /** A whole decoded line, with its "\n" (and "\r" if sent). */
  lineReceived(line: string): void {
    if (line.startsWith("LOGOFF")) {
      this.#closing = true;
      this.transport.loseConnection();
      return;
    }
    this.transport.write(line);
  }
}

/** A factory of {@link Utf8Echo}. */
export function utf8EchoFactory(): Factory {
  return Factory.forProtocol(Utf8Echo);
}

/** Listen on `description` and run the reactor until SIGINT/SIGTERM. */
export async function main(description = "tcp:8000:interface=127.0.0.1"): Promise<void> {
  const port = await serverFromString(reactor, description).listen(utf8EchoFactory());
  console.log(`UTF-8 echo server listening on ${port.getHost()}`);
  await reactor.run();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv[2]).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
