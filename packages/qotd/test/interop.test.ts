import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createReactor, Factory, type IListeningPort, TCP4ClientEndpoint } from "@torsion/core";
import { hasTwisted, PYTHON, run, startServer, twistedReason } from "@torsion/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { getQuote } from "../src/client.ts";
import { QuoteList } from "../src/quotes.ts";
import { QOTD } from "../src/server.ts";

const reactor = createReactor();
const NC = "/usr/bin/nc";
const hasNc = existsSync(NC);
const ncReason = hasNc
  ? "nc is installed"
  : "skipped: /usr/bin/nc (netcat-openbsd) is not installed";

const ports: IListeningPort[] = [];
afterAll(async () => {
  for (const p of ports) await p.stopListening();
});

describe.skipIf(!hasNc)(`nc reads QOTD (${ncReason})`, () => {
  it("nc prints the quote the Torsion server sends", async () => {
    const port = await reactor.listenTCP(
      0,
      Factory.forProtocol(QOTD, new QuoteList(["Read me, nc."])),
      {
        interface: "127.0.0.1",
      },
    );
    ports.push(port);
    const { port: n } = port.getHost() as unknown as { port: number };
    const result = await run(NC, ["-d", "-w", "10", "127.0.0.1", String(n)]);
    expect(result.stdout.toString()).toBe("Read me, nc.\r\n");
    expect(result.code).toBe(0);
  });
});

describe.skipIf(!hasTwisted)(`Twisted interoperability (${twistedReason})`, () => {
  it("Torsion's getQuote reads a quote from Twisted's wire.QOTD server", async () => {
    const server = await startServer(PYTHON, [
      fileURLToPath(new URL("./fixtures/twisted_qotd.py", import.meta.url)),
    ]);
    try {
      const quote = await getQuote(new TCP4ClientEndpoint(reactor, "127.0.0.1", server.port), {
        clock: reactor,
      });
      expect(quote).toBe("An apple a day keeps the doctor away.\r\n");
    } finally {
      await server.stop();
    }
  });
});
