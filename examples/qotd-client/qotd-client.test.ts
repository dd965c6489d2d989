import {
  ConnectionDone,
  ConnectionLost,
  createReactor,
  Failure,
  type IListeningPort,
  type IPv4Address,
  serverFromString,
} from "@torsion/core";
import { Clock, StringTransport } from "@torsion/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { QOTDFactory } from "../qotd-server/qotd-server.ts";
import {
  fetchQuote,
  MAX_QUOTE_BYTES,
  PROMPT,
  type PromptIO,
  promptLoop,
  QuoteClientFactory,
} from "./qotd-client.ts";

const reactor = createReactor();

/** A factory's protocol fed `input` in chunks of `size`, then closed as `reason`. */
function feed(input: Buffer, size: number, reason: Error = new ConnectionDone()) {
  const factory = new QuoteClientFactory(new Clock());
  const transport = new StringTransport();
  const protocol = factory.buildProtocol();
  protocol.makeConnection(transport);
  for (let i = 0; i < input.length && !transport.disconnecting; i += size) {
    protocol.dataReceived(input.subarray(i, i + size));
  }
  protocol.connectionLost(new Failure(reason));
  return { factory, transport };
}

/** A free loopback port with nothing listening on it (taken, then given back). */
async function closedPort(): Promise<number> {
  const port = await reactor.listenTCP(0, new QOTDFactory(), { interface: "127.0.0.1" });
  const { port: n } = port.getHost() as IPv4Address;
  await port.stopListening();
  return n;
}

describe("qotd-client example", () => {
  it("reads the quote in any chunking, down to one byte, without its line end", async () => {
    const input = Buffer.from("Ça va, ça vient.\r\n");
    for (let size = 1; size <= input.length; size++) {
      expect(await feed(input, size).factory.quote).toBe("Ça va, ça vient.");
    }
  });

  it("fails, and does not retry, when the connection is lost before the server closes", async () => {
    const { factory } = feed(Buffer.from("half a quo"), 3, new ConnectionLost());
    await expect(Promise.resolve(factory.quote)).rejects.toBeInstanceOf(ConnectionLost);
    expect(factory.retryScheduled).toBe(false);
  });

  it("hangs up on a server that sends more than a quote, keeping none of it", async () => {
    const { factory, transport } = feed(Buffer.alloc(MAX_QUOTE_BYTES + 1, "a"), 1024);
    await expect(Promise.resolve(factory.quote)).rejects.toThrow(/more than 4096 bytes/);
    expect(transport.disconnecting).toBe(true);
  });

  describe("over loopback", () => {
    let port: IListeningPort | undefined;
    afterEach(async () => {
      await port?.stopListening();
      port = undefined;
    });

    it("gets the QOTD server example's quote", async () => {
      port = await serverFromString(reactor, "tcp:0:interface=127.0.0.1").listen(
        new QOTDFactory("The early bird catches the worm"),
      );
      const { port: n } = port.getHost() as IPv4Address;
      expect(await fetchQuote(reactor, "127.0.0.1", n)).toBe("The early bird catches the worm");
    });

    it("retries a refused connection on its clock, and gets the quote once the server is up", async () => {
      const n = await closedPort();
      const clock = new Clock();
      const factory = new QuoteClientFactory(clock);
      reactor.connectTCP("127.0.0.1", n, factory);
      await expect.poll(() => factory.retryScheduled).toBe(true);
      expect(factory.quote.called).toBe(false);
      port = await reactor.listenTCP(n, new QOTDFactory("Better late than never"), {
        interface: "127.0.0.1",
      });
      clock.advance(factory.delay);
      expect(await factory.quote).toBe("Better late than never");
      expect(factory.retries).toBe(0); // reset once connected
    });

    it("gives up after maxRetries refused attempts", async () => {
      const n = await closedPort();
      const clock = new Clock();
      const factory = new QuoteClientFactory(clock, 1);
      reactor.connectTCP("127.0.0.1", n, factory);
      await expect.poll(() => factory.retryScheduled).toBe(true);
      clock.advance(factory.delay);
      await expect(Promise.resolve(factory.quote)).rejects.toThrow();
      expect(factory.retryScheduled).toBe(false);
    });
  });

  describe("the prompt", () => {
    /** Answers in turn, then end of input; records prompts and printed lines. */
    function scripted(answers: string[]): PromptIO & { prompts: string[]; printed: string[] } {
      const prompts: string[] = [];
      const printed: string[] = [];
      return {
        prompts,
        printed,
        ask: async (prompt) => {
          prompts.push(prompt);
          return answers.shift();
        },
        print: (line) => printed.push(line),
      };
    }

    it("fetches a quote for each Enter, until q", async () => {
      const io = scripted(["", "", "q", ""]);
      let n = 0;
      await promptLoop(io, async () => `quote ${++n}`);
      expect(io.printed).toEqual(["quote 1", "quote 2"]);
      expect(io.prompts).toEqual([PROMPT, PROMPT, PROMPT]);
    });

    it("prints a failure and asks again; stops at end of input", async () => {
      const io = scripted(["", ""]);
      let n = 0;
      await promptLoop(io, async () => {
        if (++n === 1) throw new Error("Connection refused");
        return "second time lucky";
      });
      expect(io.printed).toEqual(["no quote: Connection refused", "second time lucky"]);
      expect(io.prompts).toHaveLength(3);
    });
  });
});
