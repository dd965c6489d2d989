import {
  ConnectionDone,
  ConnectionRefusedError,
  createReactor,
  type IListeningPort,
  type IPv4Address,
} from "@torsion/core";
import { Clock, StringTransport } from "@torsion/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { TSServFactory } from "../timestamp-server/timestamp-server.ts";
import { type ClientIO, TSClntFactory } from "./timestamp-client.ts";

/** Answers in turn, then end of input; records what was printed. */
function scripted(answers: string[]): ClientIO & { printed: string[]; asked: number } {
  const io = {
    printed: [] as string[],
    asked: 0,
    ask: async (_prompt: string) => {
      io.asked++;
      return answers.shift();
    },
    print: (line: string) => {
      io.printed.push(line);
    },
  };
  return io;
}

/** Let the protocol's async prompt run. */
const settle = () => new Promise((r) => setImmediate(r));

describe("timestamp-client example", () => {
  it("prompts on connecting, sends the line without a newline, prints the reply, asks again", async () => {
    const io = scripted(["Where is hope", ""]);
    const protocol = new TSClntFactory(io).buildProtocol();
    const transport = new StringTransport();
    protocol.makeConnection(transport);
    await settle();
    expect(transport.value().toString()).toBe("Where is hope");
    expect(io.printed).toEqual(["...sending Where is hope..."]);

    protocol.dataReceived(Buffer.from("[Tue Apr 18 23:53:09 2006] Where is hope"));
    await settle();
    expect(io.printed.at(-1)).toBe("[Tue Apr 18 23:53:09 2006] Where is hope");
    expect(io.asked).toBe(2);
    expect(transport.disconnecting).toBe(true); // the empty line hangs up
  });

  it("prints each chunk as it arrives, in every chunking, and prompts after each, as the tutorial", async () => {
    const reply = Buffer.from("[Tue Apr 18 23:53:09 2006] héllo");
    for (let size = 1; size <= reply.length; size++) {
      const io = scripted(["héllo"]);
      const protocol = new TSClntFactory(io).buildProtocol();
      protocol.makeConnection(new StringTransport());
      await settle();
      const chunks: Buffer[] = [];
      for (let i = 0; i < reply.length; i += size) chunks.push(reply.subarray(i, i + size));
      for (const chunk of chunks) protocol.dataReceived(chunk);
      await settle();
      // Bytes are printed as they come: joined back they are the whole reply.
      expect(Buffer.from(io.printed.slice(1).join(""))).toEqual(
        Buffer.from(chunks.map((c) => c.toString("utf8")).join("")),
      );
      expect(io.asked).toBe(1 + chunks.length);
    }
  });

  it("hangs up at end of input", async () => {
    const io = scripted([]);
    const factory = new TSClntFactory(io);
    const protocol = factory.buildProtocol();
    const transport = new StringTransport();
    protocol.makeConnection(transport);
    await settle();
    expect(transport.disconnecting).toBe(true);
  });

  describe("over loopback, against the timestamp-server example", () => {
    const reactor = createReactor();
    let port: IListeningPort | undefined;
    afterEach(async () => {
      await port?.stopListening();
      port = undefined;
    });

    it("has the tutorial's conversation, then ends cleanly", async () => {
      const clock = new Clock();
      clock.advance(Date.UTC(2006, 3, 18, 23, 53, 9) / 1000);
      port = await reactor.listenTCP(0, new TSServFactory(clock, "UTC"), {
        interface: "127.0.0.1",
      });
      const io = scripted(["Where is hope", "No where", "What do you mean", ""]);
      const factory = new TSClntFactory(io);
      reactor.connectTCP("127.0.0.1", (port.getHost() as IPv4Address).port, factory);
      const reason = await factory.done;
      expect(reason).toBeInstanceOf(ConnectionDone);
      expect(io.printed).toEqual([
        "...sending Where is hope...",
        "[Tue Apr 18 23:53:09 2006] Where is hope",
        "...sending No where...",
        "[Tue Apr 18 23:53:09 2006] No where",
        "...sending What do you mean...",
        "[Tue Apr 18 23:53:09 2006] What do you mean",
      ]);
    });

    it("fires done with the failure when nothing listens", async () => {
      const p = await reactor.listenTCP(0, new TSServFactory(new Clock()), {
        interface: "127.0.0.1",
      });
      const n = (p.getHost() as IPv4Address).port;
      await p.stopListening();
      const factory = new TSClntFactory(scripted([]));
      reactor.connectTCP("127.0.0.1", n, factory);
      expect(await factory.done).toBeInstanceOf(ConnectionRefusedError);
    });
  });
});
