/**
 * Over loopback TCP: a server factory whose `buildProtocol` is async (returns a promise, as a
 * JavaScript `async buildProtocol` does). The port holds the socket's reading until the
 * protocol exists, so no byte is lost; a rejection is handled as a thrown exception: logged,
 * that connection closed, the port still serving.
 */
import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { createReactor, Factory, type IAddress, type IProtocol } from "../src/index.ts";
import { captureLogs, defer, Echo, portOf } from "./helpers.ts";

const reactor = createReactor();

class AsyncFactory extends Factory {
  fail = false;
  override buildProtocol(addr: IAddress): IProtocol | null {
    const later = new Promise<IProtocol | null>((resolve, reject) =>
      setTimeout(() => {
        if (this.fail) reject(new Error("no protocol for you"));
        else resolve(super.buildProtocol(addr));
      }, 20),
    );
    // What `async buildProtocol()` gives at run time; the interface is synchronous.
    return later as unknown as IProtocol;
  }
}

function exchange(port: number, text: string): Promise<{ got: string; closed: boolean }> {
  const done = defer<{ got: string; closed: boolean }>();
  let got = "";
  const s = net.connect(port, "127.0.0.1", () => s.write(text)); // sent before the protocol exists
  s.on("data", (d) => {
    got += d.toString();
    if (got.length >= text.length) s.end();
  });
  s.on("error", () => {});
  s.on("close", () => done.resolve({ got, closed: true }));
  return done.promise;
}

describe("an async buildProtocol", () => {
  it("serves once the protocol exists, with the bytes that arrived meanwhile", async () => {
    const factory = new AsyncFactory();
    factory.protocol = Echo;
    const port = await reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
    try {
      expect((await exchange(portOf(port), "early bytes")).got).toBe("early bytes");
    } finally {
      await port.stopListening();
    }
  });

  it("a rejection is logged, that connection closed, and the port keeps serving", async () => {
    const factory = new AsyncFactory();
    factory.protocol = Echo;
    factory.fail = true;
    const port = await reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
    const logs = captureLogs();
    try {
      const refused = await exchange(portOf(port), "x");
      expect(refused).toEqual({ got: "", closed: true });
      const failure = logs.events.find((e) => String(e.log_format).includes("buildProtocol"));
      expect(
        String((failure?.log_failure as { getErrorMessage(): string })?.getErrorMessage()),
      ).toBe("no protocol for you");
      factory.fail = false;
      expect((await exchange(portOf(port), "next")).got).toBe("next");
    } finally {
      logs.stop();
      await port.stopListening();
    }
  });
});
