import { PassThrough } from "node:stream";
import { Factory, type IDatagramProtocol, Protocol, TCP4ClientEndpoint } from "@torsion/core";
import { Clock } from "@torsion/core/testing";
import { askUDP as ask, captureOutput as capture, useLoopback } from "@torsion/test-utils";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.ts";
import { Daytime, DaytimeDatagram, getDaytime } from "../src/daytime.ts";
import { encodeTime, getTime, Time, TimeDatagram } from "../src/time.ts";
import { Timestamp } from "../src/timestamp.ts";

const loopback = useLoopback();
const { reactor, listenTCP, stopLast } = loopback;

/** Bind `protocol` on loopback UDP; resolves with its port number. */
async function listenUDP(protocol: IDatagramProtocol): Promise<number> {
  return (await loopback.listenUDP(protocol)).getHost().port;
}

function clockAt(iso: string): Clock {
  const clock = new Clock();
  clock.advance(Date.parse(iso) / 1000);
  return clock;
}

describe("Daytime and Time over loopback", () => {
  it("getDaytime and getTime read the servers' dates over TCP", async () => {
    const clock = clockAt("2031-07-04T12:34:56Z");
    const daytime = await listenTCP(Factory.forProtocol(Daytime, clock));
    const time = await listenTCP(Factory.forProtocol(Time, clock));
    const d = await getDaytime(new TCP4ClientEndpoint(reactor, "127.0.0.1", daytime), {
      clock: reactor,
    });
    expect(d.toISOString()).toBe("2031-07-04T12:34:56.000Z");
    const t = await getTime(new TCP4ClientEndpoint(reactor, "127.0.0.1", time), { clock: reactor });
    expect(t.toISOString()).toBe("2031-07-04T12:34:56.000Z");
  });

  it("the servers answer datagrams over UDP", async () => {
    const clock = clockAt("2006-04-18T23:53:09Z");
    expect(String(await ask(await listenUDP(new DaytimeDatagram(clock)), Buffer.alloc(0)))).toBe(
      "Tue Apr 18 23:53:09 2006\r\n",
    );
    expect(await ask(await listenUDP(new TimeDatagram(clock)), Buffer.alloc(0))).toEqual(
      encodeTime(Date.parse("2006-04-18T23:53:09Z") / 1000),
    );
  });

  it("the real reactor's clock gives the real time", async () => {
    const time = await listenTCP(Factory.forProtocol(Time, reactor));
    const before = Math.floor(Date.now() / 1000);
    const t = await getTime(new TCP4ClientEndpoint(reactor, "127.0.0.1", time), { clock: reactor });
    expect(t.getTime() / 1000).toBeGreaterThanOrEqual(before);
    expect(t.getTime() / 1000).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
  });
});

describe("timestamp-client against the Timestamp server", () => {
  it("prompts, sends each line, prints each reply, and quits on an empty line", async () => {
    const n = await listenTCP(
      Factory.forProtocol(Timestamp, { clock: clockAt("2006-04-18T23:53:09Z"), timeZone: "UTC" }),
    );
    const stdin = new PassThrough();
    stdin.end("Where is hope\nsecond line\n\nnot sent\n");
    const stdout = capture();
    const stderr = capture();
    expect(await main([`127.0.0.1:${n}`], { reactor, stdin, stdout, stderr })).toBe(0);
    expect(stdout.text()).toBe(
      "> [Tue Apr 18 23:53:09 2006] Where is hope\n> [Tue Apr 18 23:53:09 2006] second line\n> ",
    );
    expect(stderr.text()).toBe("");
  });

  it("quits cleanly at the end of input", async () => {
    const n = await listenTCP(Factory.forProtocol(Timestamp, { timeZone: "UTC" }));
    const stdin = new PassThrough();
    stdin.end("once\n");
    const stdout = capture();
    expect(await main([`127.0.0.1:${n}`], { reactor, stdin, stdout, stderr: capture() })).toBe(0);
    expect(stdout.text()).toMatch(/^> \[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] once\n> $/);
  });

  it("reports a server that disappears while it waits at the prompt, and exits 1", async () => {
    const protocols: Protocol[] = [];
    class Vanishing extends Timestamp {
      override connectionMade(): void {
        protocols.push(this);
      }
    }
    const n = await listenTCP(Factory.forProtocol(Vanishing, { timeZone: "UTC" }));
    const stdin = new PassThrough(); // a user who types nothing
    const stderr = capture();
    const done = main([`127.0.0.1:${n}`], { reactor, stdin, stdout: capture(), stderr });
    await expect.poll(() => protocols.length).toBe(1);
    protocols[0]!.transport.loseConnection();
    expect(await done).toBe(1);
    expect(stderr.text()).toMatch(/timestamp-client: connection to 127\.0\.0\.1:\d+ lost/);
  });

  it("reports a server that disappears before replying, and exits 1", async () => {
    class Rude extends Protocol {
      override dataReceived(): void {
        this.transport.loseConnection();
      }
    }
    const n = await listenTCP(Factory.forProtocol(Rude));
    const stdin = new PassThrough();
    stdin.end("hello\nworld\n");
    const stderr = capture();
    expect(await main([`127.0.0.1:${n}`], { reactor, stdin, stdout: capture(), stderr })).toBe(1);
    expect(stderr.text()).toMatch(/lost/);
  });

  it("reports a refused connection (exit 1) and bad arguments (exit 2)", async () => {
    const n = await listenTCP(Factory.forProtocol(Timestamp));
    await stopLast();
    const stderr = capture();
    const io = { reactor, stdin: new PassThrough(), stdout: capture(), stderr };
    expect(await main([`127.0.0.1:${n}`], io)).toBe(1);
    expect(stderr.text()).toMatch(/cannot connect to 127\.0\.0\.1:\d+/);
    const bad = capture();
    expect(await main(["not an address"], { ...io, stderr: bad })).toBe(2);
    expect(bad.text()).toMatch(
      /^timestamp-client: Not HOST:PORT or a client endpoint: "not an address"\nusage: /,
    );
  });
});
