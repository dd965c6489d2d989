import { once } from "node:events";
import * as net from "node:net";
import { createReactor, type IListeningPort, serverFromString } from "@torsion/core";
import { StringTransport } from "@torsion/core/testing";
import { forEveryChunking } from "@torsion/test-utils";
import { describe, expect, it } from "vitest";
import { Utf8Echo, utf8EchoFactory } from "./echo-utf8.ts";

function run(chunks: Buffer[]): { written: string; closed: boolean } {
  const transport = new StringTransport();
  const proto = new Utf8Echo();
  proto.makeConnection(transport);
  for (const c of chunks) proto.dataReceived(c);
  return { written: transport.value().toString("utf8"), closed: transport.disconnecting };
}

describe("Utf8Echo", () => {
  it("echoes lines, multi-byte characters split anywhere", () => {
    const input = Buffer.from("héllo wörld 🎉\r\n日本語\nand a partial");
    forEveryChunking(input, (chunks) => {
      expect(run(chunks)).toEqual({ written: "héllo wörld 🎉\r\n日本語\n", closed: false });
    });
  });

  it("answers a line of invalid UTF-8 with an error, drops it, and goes on", () => {
    const input = Buffer.concat([
      Buffer.from("ok\nbad "),
      Buffer.from([0xff, 0xff, 0xc3]), // invalid bytes, then a truncated sequence
      Buffer.from(" still bad\nfine é\n"),
      Buffer.from([0xe2, 0x82, 0x0a]), // a line ending inside a character
    ]);
    forEveryChunking(input, (chunks) => {
      expect(run(chunks)).toEqual({
        written: "ok\nerror: could not decode\nfine é\nerror: could not decode\n",
        closed: false,
      });
    });
  });

  it("closes on a line starting with LOGOFF, ignoring what follows", () => {
    const input = Buffer.from("bye now\nLOGOFF please\nignored\n");
    forEveryChunking(input, (chunks) => {
      expect(run(chunks)).toEqual({ written: "bye now\n", closed: true });
    });
  });

  it("closes a connection whose line grows past maxLength", () => {
    const transport = new StringTransport();
    const proto = new Utf8Echo();
    proto.maxLength = 10;
    proto.makeConnection(transport);
    proto.dataReceived(Buffer.from("x".repeat(11)));
    expect(transport.value().toString()).toBe("error: line too long\n");
    expect(transport.disconnecting).toBe(true);
  });

  it("works over a real loopback connection", async () => {
    const reactor = createReactor();
    const port: IListeningPort = await serverFromString(
      reactor,
      "tcp:0:interface=127.0.0.1",
    ).listen(utf8EchoFactory());
    try {
      const { port: n } = port.getHost() as unknown as { port: number };
      const socket = net.connect({ host: "127.0.0.1", port: n });
      const received: Buffer[] = [];
      socket.on("data", (d: Buffer) => received.push(d));
      await once(socket, "connect");
      socket.write(Buffer.from([0x63, 0x61, 0x66, 0xc3])); // "caf" + half of "é"
      socket.write(Buffer.from([0xa9, 0x0a, 0xff, 0x0a]));
      socket.write("LOGOFF\n");
      await once(socket, "close");
      expect(Buffer.concat(received).toString()).toBe("café\nerror: could not decode\n");
    } finally {
      await port.stopListening();
    }
  });
});
