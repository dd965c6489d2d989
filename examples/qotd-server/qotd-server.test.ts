import { once } from "node:events";
import * as net from "node:net";
import { createReactor, type IListeningPort, serverFromString } from "@torsion/core";
import { StringTransport } from "@torsion/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { QOTDFactory } from "./qotd-server.ts";

/** Everything a raw client receives until the server closes. */
async function readAll(port: number): Promise<string> {
  const socket = net.connect({ host: "127.0.0.1", port });
  let received = "";
  socket.setEncoding("utf8");
  socket.on("data", (d: string) => {
    received += d;
  });
  await once(socket, "close");
  return received;
}

describe("qotd-server example", () => {
  it("writes the factory's quote with CRLF, then closes", () => {
    const transport = new StringTransport();
    const protocol = new QOTDFactory("Fortune favours the bold").buildProtocol();
    protocol.makeConnection(transport);
    expect(transport.value().toString()).toBe("Fortune favours the bold\r\n");
    expect(transport.disconnecting).toBe(true);
  });

  it("ignores whatever the client sends", () => {
    const transport = new StringTransport();
    const protocol = new QOTDFactory().buildProtocol();
    protocol.makeConnection(transport);
    protocol.dataReceived(Buffer.from("please\r\n"));
    expect(transport.value().toString()).toBe("An apple a day keeps the doctor away\r\n");
  });

  describe("over loopback", () => {
    const reactor = createReactor();
    let port: IListeningPort | undefined;
    afterEach(async () => {
      await port?.stopListening();
    });

    it("tells each client the quote and hangs up", async () => {
      port = await serverFromString(reactor, "tcp:0:interface=127.0.0.1").listen(
        new QOTDFactory("Twisted is an event-driven networking engine"),
      );
      const { port: n } = port.getHost() as unknown as { port: number };
      expect(await readAll(n)).toBe("Twisted is an event-driven networking engine\r\n");
      expect(await readAll(n)).toBe("Twisted is an event-driven networking engine\r\n");
    });
  });
});
