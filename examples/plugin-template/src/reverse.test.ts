import { connect } from "node:net";
import { createReactor, Factory, type IListeningPort, type IPv4Address } from "@torsion/core";
import { StringTransport } from "@torsion/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { Reverse } from "./reverse.ts";

/** Feed `input` to a fresh protocol in chunks of `size` bytes and return its transport. */
function feed(input: Buffer, size: number): StringTransport {
  const transport = new StringTransport();
  const protocol = new Reverse();
  protocol.makeConnection(transport);
  for (let i = 0; i < input.length; i += size) protocol.dataReceived(input.subarray(i, i + size));
  return transport;
}

describe("Reverse", () => {
  it("gives the same reply whatever the chunking, down to one byte", () => {
    const input = Buffer.from("hello\r\nhéllo wörld\r\n\r\nabc");
    for (let size = 1; size <= input.length; size++) {
      expect(feed(input, size).value().toString("utf8")).toBe("olleh\r\ndlröw olléh\r\n\r\n");
    }
  });

  it("closes the connection on a line longer than MAX_LENGTH", () => {
    const line = `${"a".repeat(new Reverse().MAX_LENGTH + 1)}\r\n`;
    const transport = feed(Buffer.from(line), 4096);
    expect(transport.disconnecting).toBe(true);
  });

  describe("over loopback", () => {
    const reactor = createReactor();
    let port: IListeningPort | undefined;
    afterEach(async () => {
      await port?.stopListening();
    });

    it("serves a real connection", async () => {
      port = await reactor.listenTCP(0, Factory.forProtocol(Reverse), { interface: "127.0.0.1" });
      const { port: portNumber } = port.getHost() as IPv4Address;
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = connect(portNumber, "127.0.0.1", () => socket.write("stressed\r\n"));
        let received = "";
        socket.setEncoding("utf8");
        socket.on("data", (chunk: string) => {
          received += chunk;
          if (received.length >= "desserts\r\n".length) {
            socket.end();
            resolve(received);
          }
        });
        socket.on("error", reject);
      });
      expect(reply).toBe("desserts\r\n");
    });
  });
});
