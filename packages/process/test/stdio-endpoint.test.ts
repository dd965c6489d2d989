import { PassThrough } from "node:stream";
import {
  ConnectionDone,
  createReactor,
  Factory,
  type Failure,
  type IHalfCloseableProtocol,
  type IListeningPort,
  Protocol,
  serverFromString,
} from "@torsion/core";
import { type EndpointReactor, PipeAddress } from "@torsion/core/endpoints";
import { EndpointDescriptionError, NoProtocol } from "@torsion/core/errors";
import { forEveryChunking } from "@torsion/test-utils";
import { describe, expect, it } from "vitest";
import { registerStandardIOEndpoint, StandardIOEndpoint } from "../src/index.ts";

class Echo extends Protocol {
  received: Buffer[] = [];
  lost: Failure[] = [];
  override dataReceived(data: Buffer): void {
    this.received.push(data);
    this.transport.write(data);
  }
  override connectionLost(reason: Failure): void {
    this.lost.push(reason);
  }
}

/** Reads everything written before stdin closed, then answers with a count (needs half-close). */
class CountThenReply extends Protocol implements IHalfCloseableProtocol {
  bytes = 0;
  override dataReceived(data: Buffer): void {
    this.bytes += data.length;
  }
  readConnectionLost(): void {
    this.transport.write(`${this.bytes} bytes\n`);
    this.transport.loseConnection();
  }
  writeConnectionLost(): void {}
}

/** A factory that records its start, stop and the protocols it built. */
class Recording<P extends Protocol> extends Factory {
  readonly built: P[] = [];
  readonly events: string[] = [];
  readonly #make: () => P | null;
  constructor(make: () => P | null) {
    super();
    this.#make = make;
  }
  override buildProtocol(): P | null {
    const p = this.#make();
    if (p !== null) this.built.push(p);
    return p;
  }
  override startFactory(): void {
    this.events.push("start");
  }
  override stopFactory(): void {
    this.events.push("stop");
  }
}

/** What the endpoint may ask of a reactor: whether it runs, and stop(). */
class FakeReactor {
  running = true;
  stops = 0;
  stop(): void {
    this.stops++;
    this.running = false;
  }
}

function pipes(): { stdin: PassThrough; stdout: PassThrough; output: () => string } {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on("data", (c: Buffer) => chunks.push(c));
  return { stdin, stdout, output: () => Buffer.concat(chunks).toString() };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await tick();
  expect(done()).toBe(true);
}

describe("StandardIOEndpoint", () => {
  it("serves one protocol on stdin/stdout whatever the chunking, then stops the reactor", async () => {
    const input = Buffer.from("hello\nstandard input\n");
    const runs: Promise<void>[] = [];
    forEveryChunking(input, (chunks) => {
      const { stdin, stdout, output } = pipes();
      const reactor = new FakeReactor();
      const factory = new Recording(() => new Echo());
      const endpoint = new StandardIOEndpoint(reactor, {
        stdin,
        stdout,
        stopReactorWhenDone: true,
      });
      const listening = endpoint.listen(factory);
      for (const c of chunks) stdin.write(c);
      stdin.end();
      runs.push(
        (async () => {
          const port = await listening;
          expect(port.getHost()).toBeInstanceOf(PipeAddress);
          const echo = factory.built[0] as Echo;
          await until(() => echo.lost.length === 1);
          expect(Buffer.concat(echo.received)).toEqual(input);
          expect(output()).toBe(input.toString());
          expect(echo.lost[0]?.check(ConnectionDone)).toBe(ConnectionDone);
          expect(factory.events).toEqual(["start", "stop"]);
          expect(reactor.stops).toBe(1);
        })(),
      );
    });
    await Promise.all(runs);
  });

  it("leaves the reactor running by default, as Twisted's endpoint does", async () => {
    const { stdin, stdout } = pipes();
    const reactor = new FakeReactor();
    const factory = new Recording(() => new Echo());
    await new StandardIOEndpoint(reactor, { stdin, stdout }).listen(factory);
    stdin.end();
    await until(() => (factory.built[0] as Echo).lost.length === 1);
    expect(reactor.stops).toBe(0);
  });

  it("stopListening flushes, closes the connection and fires once it is lost; no reactor stop", async () => {
    const { stdin, stdout, output } = pipes();
    const reactor = new FakeReactor();
    const factory = new Recording(() => new Echo());
    const port: IListeningPort = await new StandardIOEndpoint(reactor, {
      stdin,
      stdout,
      stopReactorWhenDone: true,
    }).listen(factory);
    const echo = factory.built[0] as Echo;
    stdin.write("before stop\n");
    await until(() => echo.received.length > 0);
    let stopped = false;
    port.stopListening().addCallback(() => {
      stopped = true;
    });
    await until(() => stopped);
    expect(echo.lost).toHaveLength(1);
    expect(output()).toBe("before stop\n");
    expect(factory.events).toEqual(["start", "stop"]);
    expect(reactor.stops).toBe(0); // the service stopping the port is already shutting down
    let again = false;
    port.stopListening().addCallback(() => {
      again = true;
    });
    expect(again).toBe(true);
  });

  it("keeps half-close: the protocol hears readConnectionLost and still writes", async () => {
    const { stdin, stdout, output } = pipes();
    const reactor = new FakeReactor();
    const factory = new Recording(() => new CountThenReply());
    await new StandardIOEndpoint(reactor, { stdin, stdout, stopReactorWhenDone: true }).listen(
      factory,
    );
    stdin.write("12345");
    stdin.end("678");
    await until(() => reactor.stops === 1);
    expect(output()).toBe("8 bytes\n");
  });

  it("fails with NoProtocol when the factory refuses, and refuses a second listen", async () => {
    const refusing = new Recording<Echo>(() => null);
    const { stdin, stdout } = pipes();
    await expect(
      new StandardIOEndpoint(new FakeReactor(), { stdin, stdout }).listen(refusing),
    ).rejects.toBeInstanceOf(NoProtocol);
    expect(refusing.events).toEqual(["start", "stop"]);

    const endpoint = new StandardIOEndpoint(new FakeReactor(), { stdin, stdout });
    await endpoint.listen(new Recording(() => new Echo()));
    await expect(endpoint.listen(new Recording(() => new Echo()))).rejects.toThrow(
      /one connection/,
    );
    stdin.end();
  });
});

describe("the stdio: description", () => {
  const reactor = createReactor() as unknown as EndpointReactor;

  it("is known to serverFromString once registered (registering twice is harmless)", () => {
    registerStandardIOEndpoint();
    registerStandardIOEndpoint();
    expect(serverFromString(reactor, "stdio:")).toBeInstanceOf(StandardIOEndpoint);
    expect(serverFromString(reactor, "stdio")).toBeInstanceOf(StandardIOEndpoint);
  });

  it("takes no arguments", () => {
    registerStandardIOEndpoint();
    expect(() => serverFromString(reactor, "stdio:8007")).toThrow(EndpointDescriptionError);
    expect(() => serverFromString(reactor, "stdio:fd=3")).toThrow(/Unknown key 'fd'/);
  });
});
