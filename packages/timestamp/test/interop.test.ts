import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createReactor, Factory, type IListeningPort, type IProtocolFactory } from "@torsion/core";
import { Clock } from "@torsion/core/testing";
import { hasTwisted, PYTHON, run, twistedReason } from "@torsion/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { Daytime } from "../src/daytime.ts";
import { Time } from "../src/time.ts";
import { Timestamp } from "../src/timestamp.ts";

const reactor = createReactor();
const RDATE = "/usr/sbin/rdate";
const NC = "/usr/bin/nc";
const hasRdate = existsSync(RDATE);
const hasNc = existsSync(NC);
const rdateReason = hasRdate
  ? "rdate is installed"
  : "skipped: /usr/sbin/rdate (rdate) is not installed";
const ncReason = hasNc
  ? "nc is installed"
  : "skipped: /usr/bin/nc (netcat-openbsd) is not installed";

const ports: IListeningPort[] = [];
afterAll(async () => {
  for (const p of ports) await p.stopListening();
});

async function listen(factory: IProtocolFactory): Promise<number> {
  const port = await reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  ports.push(port);
  return (port.getHost() as unknown as { port: number }).port;
}

function clockAt(date: Date): Clock {
  const clock = new Clock();
  clock.advance(date.getTime() / 1000);
  return clock;
}

describe.skipIf(!hasRdate)(`rdate reads the Time server (${rdateReason})`, () => {
  it("rdate -p -o PORT 127.0.0.1 prints the server's date", async () => {
    const n = await listen(Factory.forProtocol(Time, clockAt(new Date("2031-07-04T12:34:56Z"))));
    const result = await run("/usr/bin/env", ["TZ=UTC", RDATE, "-p", "-o", String(n), "127.0.0.1"]);
    expect(result.stderr).toBe("");
    expect(result.stdout.toString()).toBe("Fri Jul  4 12:34:56 UTC 2031\n");
  });

  it("after the 2036 wrap too (RFC 868's unsigned count, where Twisted's signed one breaks)", async () => {
    const n = await listen(Factory.forProtocol(Time, clockAt(new Date("2036-03-01T00:00:00Z"))));
    const result = await run("/usr/bin/env", ["TZ=UTC", RDATE, "-p", "-o", String(n), "127.0.0.1"]);
    expect(result.stdout.toString()).toBe("Sat Mar  1 00:00:00 UTC 2036\n");
  });
});

describe.skipIf(!hasNc)(`nc reads Daytime (${ncReason})`, () => {
  it("nc prints the daytime line", async () => {
    const n = await listen(Factory.forProtocol(Daytime, clockAt(new Date("2006-04-18T23:53:09Z"))));
    const result = await run(NC, ["-d", "-w", "10", "127.0.0.1", String(n)]);
    expect(result.stdout.toString()).toBe("Tue Apr 18 23:53:09 2006\r\n");
  });
});

describe.skipIf(!hasTwisted)(`Twisted interoperability (${twistedReason})`, () => {
  it("a Twisted client gets [ctime] replies from Torsion's Timestamp server", async () => {
    const clock = clockAt(new Date("2006-04-18T23:53:09Z"));
    const n = await listen(Factory.forProtocol(Timestamp, { clock, timeZone: "UTC" }));
    const script = fileURLToPath(
      new URL("./fixtures/twisted_timestamp_client.py", import.meta.url),
    );
    const result = await run(PYTHON, [script, String(n), "Where is hope", "hello \u00e9"]);
    expect(result.stderr).toBe("");
    expect(result.stdout.toString()).toBe(
      "[Tue Apr 18 23:53:09 2006] Where is hope\n[Tue Apr 18 23:53:09 2006] hello \u00e9\n",
    );
  });
});
