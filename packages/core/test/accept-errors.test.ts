/**
 * Accept errors on a listening port: running out of descriptors (EMFILE/ENFILE) is counted
 * and logged once per burst, and the port keeps serving. libuv reports such an error to Node
 * only when its reserve descriptor is gone (otherwise it closes the connection it could not
 * accept itself), so the error is injected on the port's server here.
 */
import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { Factory, type IListeningPort, Protocol, StreamPort } from "../src/index.ts";
import { ipPortConfig } from "../src/reactor/tcp.ts";
import { Clock } from "../src/testing.ts";
import { ACCEPT_BACKOFF } from "../src/transport/port.ts";
import { captureLogs, defer, portOf } from "./helpers.ts";

class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

function emfile(code = "EMFILE"): NodeJS.ErrnoException {
  return Object.assign(new Error(`accept ${code}`), { code, syscall: "accept" });
}

describe("EMFILE/ENFILE on accept", () => {
  it("is logged once per burst with the count, and the port keeps serving", async () => {
    const clock = new Clock();
    const hooks = Object.assign(clock, {
      addSystemEventTrigger: () => 1,
      removeSystemEventTrigger: () => {},
    });
    const server = net.createServer({ allowHalfOpen: true });
    const f = Factory.forProtocol(Echo);
    f.noisy = false;
    const logs = captureLogs();
    let port: IListeningPort | undefined;
    try {
      port = await new StreamPort(
        ipPortConfig(server, "connection", "TCP", 0, { interface: "127.0.0.1" }),
        f,
        hooks,
      ).start();
      const dropped = () =>
        logs.events.filter((e) => String(e.log_format).includes("out of file descriptors"));
      for (let i = 0; i < 25; i++) server.emit("error", emfile());
      expect(dropped()).toHaveLength(0); // counted, not logged per connection
      clock.advance(ACCEPT_BACKOFF);
      expect(dropped()).toHaveLength(1);
      expect(dropped()[0]).toMatchObject({ count: 25, code: "EMFILE" });
      expect(String(dropped()[0]!.log_level)).toMatch(/error/);

      server.emit("error", emfile("ENFILE"));
      clock.advance(ACCEPT_BACKOFF);
      expect(dropped()).toHaveLength(2);
      expect(dropped()[1]).toMatchObject({ count: 1, code: "ENFILE" });
      expect(logs.events.some((e) => e.log_format === "Error on {port}")).toBe(false);

      // Still accepting and serving.
      const got = defer<string>();
      const s = net.connect(portOf(port), "127.0.0.1", () => s.write("ping"));
      s.on("data", (d) => got.resolve(d.toString()));
      s.on("error", got.reject);
      expect(await got.promise).toBe("ping");
      s.destroy();
    } finally {
      logs.stop();
      await port?.stopListening();
    }
  });
});
