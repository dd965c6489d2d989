/**
 * The classic timestamp client (`tsTclntTW.py`): on connecting it prompts `> `, sends what is
 * typed (without the newline), prints the server's stamped reply and prompts again; an empty
 * line closes the connection, and the program ends when the connection does.
 *
 *     node examples/dist/timestamp-client/timestamp-client.js [host] [port]   # default 127.0.0.1 21567
 *
 * @module
 */
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import {
  ClientFactory,
  ConnectionDone,
  Deferred,
  type Failure,
  type IConnector,
  Protocol,
  reactor,
} from "@torsion/core";
import { lineAsker } from "../line-asker.ts";

/** Where the client prompts and prints: the terminal in {@link main}, a script in tests. */
export interface ClientIO {
  /** Show `prompt`, return the line typed; `undefined` at end of input. */
  ask(prompt: string): Promise<string | undefined>;
  print(line: string): void;
}

/** `TSClntProtocol`: prompt, send, print the reply, prompt again. */
export class TSClntProtocol extends Protocol {
  override connectionMade(): Promise<void> {
    return this.sendData();
  }

  override dataReceived(data: Buffer): Promise<void> {
    (this.factory as TSClntFactory).io.print(data.toString("utf8"));
    return this.sendData();
  }

  /** Ask for a line: send it, or hang up on an empty line or end of input. */
  async sendData(): Promise<void> {
    const { io } = this.factory as TSClntFactory;
    const data = await io.ask("> ");
    if (data) {
      io.print(`...sending ${data}...`);
      this.transport.write(data);
    } else {
      this.transport.loseConnection();
    }
  }
}

/** `TSClntFactory`: {@link done} fires when the connection ends or cannot be made. */
export class TSClntFactory extends ClientFactory {
  readonly io: ClientIO;
  /**
   * The tutorial stops the reactor here; this fires instead, with why the connection ended
   * (`ConnectionDone` when it closed cleanly). The error is the result, not a failure: a
   * `Failure` passed to `callback` would turn the Deferred into an errback chain.
   */
  readonly done: Deferred<unknown> = new Deferred<unknown>();

  constructor(io: ClientIO) {
    super();
    this.io = io;
  }

  override buildProtocol(): TSClntProtocol {
    const p = new TSClntProtocol();
    p.factory = this;
    return p;
  }

  override clientConnectionLost(_connector: IConnector, reason: Failure): void {
    if (!this.done.called) this.done.callback(reason.value);
  }

  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    if (!this.done.called) this.done.callback(reason.value);
  }
}

/** Connect to `host:port`, prompting on the terminal, until the connection ends. */
export async function main(host = "127.0.0.1", port = 21567): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const factory = new TSClntFactory({ ask: lineAsker(rl), print: (line) => console.log(line) });
  reactor.connectTCP(host, port, factory);
  const reason = await factory.done;
  rl.close();
  if (!(reason instanceof ConnectionDone)) {
    console.error(`connection ended: ${reason instanceof Error ? reason.message : String(reason)}`);
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
