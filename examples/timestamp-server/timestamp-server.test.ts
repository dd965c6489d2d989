import { once } from "node:events";
import * as net from "node:net";
import { createReactor, type IListeningPort, type IPv4Address } from "@torsion/core";
import { Clock, StringTransport } from "@torsion/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { TSServFactory } from "./timestamp-server.ts";

/** 2006-04-18 23:53:09 UTC, the tutorial's sample output. */
const TUTORIAL_TIME = Date.UTC(2006, 3, 18, 23, 53, 9) / 1000;

function clockAt(seconds: number): Clock {
  const clock = new Clock();
  clock.advance(seconds);
  return clock;
}

describe("timestamp-server example", () => {
  it("stamps each chunk with the factory clock's time, as the tutorial's output shows", () => {
    const transport = new StringTransport();
    const protocol = new TSServFactory(clockAt(TUTORIAL_TIME), "UTC").buildProtocol();
    protocol.makeConnection(transport);
    protocol.dataReceived(Buffer.from("Where is hope"));
    expect(transport.value().toString()).toBe("[Tue Apr 18 23:53:09 2006] Where is hope");
  });

  it("replies once per chunk, in every chunking down to one byte, the data untouched", () => {
    const input = Buffer.from("héllo, wörld\r\n");
    for (let size = 1; size <= input.length; size++) {
      const clock = clockAt(TUTORIAL_TIME);
      const transport = new StringTransport();
      const protocol = new TSServFactory(clock, "UTC").buildProtocol();
      protocol.makeConnection(transport);
      const expected: Buffer[] = [];
      for (let i = 0; i < input.length; i += size) {
        const chunk = input.subarray(i, i + size);
        clock.advance(1); // a second between chunks: each stamp is read when its chunk comes
        expected.push(Buffer.from(`[${stamp(TUTORIAL_TIME + i / size + 1)}] `), chunk);
        protocol.dataReceived(chunk);
      }
      expect(transport.value()).toEqual(Buffer.concat(expected));
    }
  });

  describe("over loopback", () => {
    const reactor = createReactor();
    let port: IListeningPort | undefined;
    afterEach(async () => {
      await port?.stopListening();
    });

    it("stamps what a real client sends with the reactor's time", async () => {
      port = await reactor.listenTCP(0, new TSServFactory(reactor, "UTC"), {
        interface: "127.0.0.1",
      });
      const socket = net.connect({ host: "127.0.0.1", port: (port.getHost() as IPv4Address).port });
      await once(socket, "connect");
      const before = Math.floor(Date.now() / 1000);
      socket.write("Where is hope");
      const [reply] = (await once(socket, "data")) as [Buffer];
      const after = Math.floor(Date.now() / 1000);
      socket.destroy();
      const text = reply.toString();
      expect(text).toMatch(/^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] Where is hope$/);
      expect([stamp(before), stamp(after)]).toContain(text.slice(1, 25));
    });
  });
});

/** `ctime` in UTC, written out independently of the package's implementation. */
function stamp(seconds: number): string {
  const d = new Date(seconds * 1000);
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
  const two = (n: number) => String(n).padStart(2, "0");
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}
