import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serviceMakerHelpers } from "@torsion/application";
import { createReactor, type IProtocolFactory } from "@torsion/core";
import { StringTransport } from "@torsion/core/testing";
import { recordListens } from "@torsion/test-utils";
import { describe, expect, it } from "vitest";
import plugin from "../src/plugin/qotd.ts";
import { QuoteTooLongError } from "../src/quotes.ts";

const reactor = createReactor();

/** The helpers `twist` gives, recording what the plugin listens on. */
const helpers = () => recordListens(serviceMakerHelpers("test", reactor));

function quoteFrom(factory: IProtocolFactory): string {
  const t = new StringTransport();
  factory.buildProtocol({ type: "TCP" })!.makeConnection(t);
  return t.value().toString();
}

const defaults = {
  listen: ["tcp:8017"],
  "udp-rate": "20",
  udp: [] as string[],
  quote: undefined,
  "quotes-file": undefined,
  random: false,
};

describe("qotd plugin", () => {
  it("is declared in package.json", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(pkg.torsion.plugins).toEqual([
      { name: "qotd", description: "A Quote of the Day server (RFC 865).", module: "./plugin" },
    ]);
    expect(pkg.exports["./plugin"]["@torsion/source"]).toBe("./src/plugin/qotd.ts");
    expect(pkg.bin["qotd-client"]).toBe("./bin/qotd-client.js"); // a shim importing dist/bin/qotd-client.js
  });

  it("serves Twisted's quote on tcp:8017 by default", async () => {
    const h = helpers();
    expect(plugin.options.listen.default).toEqual(["tcp:8017"]);
    await plugin.makeService(defaults, h.helpers);
    expect(h.listened[0]![0]).toBe("tcp:8017");
    expect(quoteFrom(h.listened[0]![1])).toBe("An apple a day keeps the doctor away.\r\n");
  });

  it("serves --quote, or the quotes of --quotes-file in turn", async () => {
    const h = helpers();
    await plugin.makeService({ ...defaults, quote: "Mine." }, h.helpers);
    expect(quoteFrom(h.listened[0]![1])).toBe("Mine.\r\n");

    const file = join(mkdtempSync(join(tmpdir(), "qotd-")), "fortunes");
    writeFileSync(file, "one\n%\ntwo\n");
    const h2 = helpers();
    await plugin.makeService({ ...defaults, "quotes-file": file }, h2.helpers);
    const f = h2.listened[0]![1];
    expect([quoteFrom(f), quoteFrom(f), quoteFrom(f)]).toEqual(["one\r\n", "two\r\n", "one\r\n"]);
  });

  it("refuses a quote over the RFC's limit, and --quote with --quotes-file", async () => {
    await expect(
      plugin.makeService({ ...defaults, quote: "x".repeat(600) }, helpers().helpers),
    ).rejects.toThrow(QuoteTooLongError);
    await expect(
      plugin.makeService(
        { ...defaults, quote: "a", "quotes-file": "/nonexistent" },
        helpers().helpers,
      ),
    ).rejects.toThrow(/not both/);
  });
});
