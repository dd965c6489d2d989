import { fileURLToPath } from "node:url";
import { createReactor, Factory, type IListeningPort, TCP4ClientEndpoint } from "@torsion/core";
import { hasTwisted, PYTHON, run, startServer, twistedReason } from "@torsion/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { echo } from "../src/client.ts";
import { Echo } from "../src/echo.ts";

const reactor = createReactor();
const peer = fileURLToPath(new URL("./fixtures/twisted_peer.py", import.meta.url));

describe.skipIf(!hasTwisted)(`Twisted interoperability (${twistedReason})`, () => {
  const ports: IListeningPort[] = [];
  afterAll(async () => {
    for (const p of ports) await p.stopListening();
  });

  it("a Twisted client gets its message back from Torsion's Echo server", async () => {
    const port = await reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: "127.0.0.1" });
    ports.push(port);
    const { port: n } = port.getHost() as unknown as { port: number };
    const message = "hello from Twisted \u00e9";
    const result = await run(PYTHON, [peer, "client", String(n), message]);
    expect(result.stderr).toBe("");
    expect(result.stdout.toString("utf8")).toBe(message);
  });

  it("Torsion's echo client gets its message back from Twisted's wire.Echo server", async () => {
    const server = await startServer(PYTHON, [peer, "server", "echo"]);
    try {
      const message = Buffer.from("hello from Torsion\r\n\x00\xff");
      const echoed = await echo(
        new TCP4ClientEndpoint(reactor, "127.0.0.1", server.port),
        message,
        {
          clock: reactor,
        },
      );
      expect(echoed).toEqual(message);
    } finally {
      await server.stop();
    }
  });
});
