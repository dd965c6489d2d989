import { once } from "node:events";
import * as net from "node:net";
import { createReactor, type IListeningPort, serverFromString } from "@torsion/core";
import { afterEach, describe, expect, it } from "vitest";
import { EchoFactory } from "./echo-server.ts";

const reactor = createReactor();

/** A raw node:net client that accumulates what it receives. */
async function connect(
  port: number,
): Promise<{ socket: net.Socket; until: (text: string) => Promise<string> }> {
  const socket = net.connect({ host: "127.0.0.1", port });
  await once(socket, "connect");
  let received = "";
  socket.setEncoding("utf8");
  socket.on("data", (d: string) => {
    received += d;
  });
  const until = async (text: string): Promise<string> => {
    while (!received.includes(text)) await once(socket, "data");
    return received;
  };
  return { socket, until };
}

describe("echo-server example", () => {
  let port: IListeningPort | undefined;
  afterEach(async () => {
    await port?.stopListening();
  });

  it("greets each client with the number of open connections and echoes", async () => {
    const factory = new EchoFactory();
    port = await serverFromString(reactor, "tcp:0:interface=127.0.0.1").listen(factory);
    const { port: n } = port.getHost() as unknown as { port: number };

    const a = await connect(n);
    expect(await a.until("\n")).toBe("Welcome! There are currently 1 open connections.\n");
    const b = await connect(n);
    expect(await b.until("\n")).toBe("Welcome! There are currently 2 open connections.\n");

    a.socket.write("hello, world\r\n");
    expect(await a.until("world\r\n")).toBe(
      "Welcome! There are currently 1 open connections.\nhello, world\r\n",
    );

    b.socket.end();
    await once(b.socket, "close");
    await expect.poll(() => factory.numProtocols).toBe(1);
    const c = await connect(n);
    expect(await c.until("\n")).toBe("Welcome! There are currently 2 open connections.\n");
    a.socket.destroy();
    c.socket.destroy();
    await expect.poll(() => factory.numProtocols).toBe(0);
  });
});
