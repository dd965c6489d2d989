/**
 * A QOTD client that prompts: each time Enter is pressed it connects (`connectTCP` with a
 * `ClientFactory`), prints the quote the server sends before hanging up, and asks again; `q`
 * or end of input quits. The factory is a `ReconnectingClientFactory`, so a server that is not
 * up yet (or restarting) is retried with growing delays instead of failing at once.
 *
 *     node examples/dist/qotd-client/qotd-client.js [host] [port]   # default 127.0.0.1 8007
 *
 * @module
 */
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import {
  ConnectionDone,
  Deferred,
  type Failure,
  type IConnector,
  type IReactorTime,
  Protocol,
  ReconnectingClientFactory,
  reactor,
} from "@torsion/core";
import type { IReactorTCP } from "@torsion/core/endpoints";
import { lineAsker } from "../line-asker.ts";

/** RFC 865: a quote "should be limited to 512 characters"; more than this is not a QOTD server. */
export const MAX_QUOTE_BYTES = 4096;

/** Collects what the server sends; the quote is complete when the server closes. */
export class QuoteClient extends Protocol {
  #chunks: Buffer[] = [];
  #length = 0;

  override connectionMade(): void {
    // Connected: the next outage starts again from a short delay.
    (this.factory as QuoteClientFactory).resetDelay();
  }

  override dataReceived(data: Buffer): void {
    if (this.#length > MAX_QUOTE_BYTES) return; // already refused: keep nothing more
    this.#length += data.length;
    if (this.#length > MAX_QUOTE_BYTES) {
      (this.factory as QuoteClientFactory).quoteFailed(
        new Error(`the server sent more than ${MAX_QUOTE_BYTES} bytes: not a quote`),
      );
      this.#chunks = [];
      this.transport.loseConnection();
      return;
    }
    this.#chunks.push(data);
  }

  override connectionLost(reason: Failure): void {
    const factory = this.factory as QuoteClientFactory;
    if (reason.check(ConnectionDone)) {
      factory.quoteReceived(
        Buffer.concat(this.#chunks)
          .toString("utf8")
          .replace(/\r?\n$/, ""),
      );
    } else {
      factory.quoteFailed(reason.value);
    }
  }
}

/** Connects until one quote arrives (or `maxRetries` attempts fail); {@link quote} fires with it. */
export class QuoteClientFactory extends ReconnectingClientFactory {
  /** Fires with the quote, or fails once the factory gives up. */
  readonly quote: Deferred<string> = new Deferred<string>();

  constructor(clock: IReactorTime, maxRetries = 3) {
    super({ clock, initialDelay: 0.25, maxDelay: 2, maxRetries });
    this.noisy = false;
  }

  override buildProtocol(): QuoteClient {
    const p = new QuoteClient();
    p.factory = this;
    return p;
  }

  /** The whole quote came: stop, so the server hanging up is not "lost, retry". */
  quoteReceived(text: string): void {
    this.stopTrying();
    if (!this.quote.called) this.quote.callback(text);
  }

  /** Something other than a quote came: stop and report it. */
  quoteFailed(error: unknown): void {
    this.stopTrying();
    if (!this.quote.called) this.quote.errback(error);
  }

  override clientConnectionFailed(connector: IConnector, reason: Failure): void {
    super.clientConnectionFailed(connector, reason);
    // No retry scheduled: stopped, or out of retries. Either way this is the last word.
    if (!this.retryScheduled && !this.quote.called) this.quote.errback(reason.value);
  }
}

/** Connect to `host:port` and return the quote (retrying a refused connection a few times). */
export function fetchQuote(
  reactor: IReactorTCP & IReactorTime,
  host: string,
  port: number,
  maxRetries?: number,
): Deferred<string> {
  const factory = new QuoteClientFactory(reactor, maxRetries);
  reactor.connectTCP(host, port, factory);
  return factory.quote;
}

/** What {@link promptLoop} asks with and prints to. */
export interface PromptIO {
  /** Show the prompt and return the answer; `undefined` at end of input. */
  ask(prompt: string): Promise<string | undefined>;
  print(line: string): void;
}

/** The prompt shown before each quote. */
export const PROMPT = "Press Enter for a quote (q to quit)> ";

/** Ask, fetch, print, until `q` or end of input. A failed fetch is printed, and it asks again. */
export async function promptLoop(io: PromptIO, fetch: () => PromiseLike<string>): Promise<void> {
  for (;;) {
    const answer = await io.ask(PROMPT);
    if (answer === undefined || answer.trim().toLowerCase() === "q") return;
    try {
      io.print(await fetch());
    } catch (error) {
      io.print(`no quote: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Prompt on the terminal; quotes from `host:port`. */
export async function main(host = "127.0.0.1", port = 8007): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const io: PromptIO = { ask: lineAsker(rl), print: (line) => console.log(line) };
  try {
    await promptLoop(io, () => fetchQuote(reactor, host, port));
  } finally {
    rl.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv[2], process.argv[3] === undefined ? undefined : Number(process.argv[3])).catch(
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 1;
    },
  );
}
