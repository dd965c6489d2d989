import { ConnectionLost, DatagramGuard, type Failure, SMALL_SERVICE_PORTS } from "@torsion/core";
import {
  Clock,
  StringDatagramTransport,
  StringTransport,
  StringTransportWithDisconnection,
} from "@torsion/core/testing";
import { forEveryChunking } from "@torsion/test-utils";
import { describe, expect, it } from "vitest";
import {
  Daytime,
  DaytimeClient,
  DaytimeDatagram,
  DaytimeParseError,
  parseDaytime,
} from "./daytime.ts";
import { TimeDatagram } from "./time.ts";

function clockAt(seconds: number): Clock {
  const clock = new Clock();
  clock.advance(seconds);
  return clock;
}

describe("Daytime", () => {
  it("sends the UTC asctime line with CRLF, then closes", () => {
    const transport = new StringTransport();
    new Daytime(clockAt(0)).makeConnection(transport);
    expect(transport.value().toString()).toBe("Thu Jan  1 00:00:00 1970\r\n");
    expect(transport.disconnecting).toBe(true);
  });

  it("answers each datagram with the time on its clock", () => {
    const clock = clockAt(Date.UTC(2030, 0, 2, 3, 4, 5) / 1000);
    const transport = new StringDatagramTransport();
    const proto = new DaytimeDatagram(clock);
    proto.makeConnection(transport);
    proto.datagramReceived(Buffer.alloc(0), ["10.0.0.2", 40013]);
    clock.advance(60);
    proto.datagramReceived(Buffer.from("x"), ["10.0.0.2", 40013]);
    expect(transport.written.map((w) => w.data.toString())).toEqual([
      "Wed Jan  2 03:04:05 2030\r\n",
      "Wed Jan  2 03:05:05 2030\r\n",
    ]);
  });
});

describe("DaytimeClient", () => {
  function connected(): { client: DaytimeClient; transport: StringTransportWithDisconnection } {
    const client = new DaytimeClient();
    const transport = new StringTransportWithDisconnection({ protocol: client });
    client.makeConnection(transport);
    return { client, transport };
  }

  it("fires with the Date once the server closes, whatever the chunking", () => {
    forEveryChunking(Buffer.from("Tue Apr 18 23:53:09 2006\r\n"), (chunks) => {
      const { client, transport } = connected();
      let date: Date | undefined;
      client.deferred.addCallback((d) => {
        date = d;
      });
      for (const c of chunks) client.dataReceived(c);
      transport.loseConnection();
      expect(date?.toISOString()).toBe("2006-04-18T23:53:09.000Z");
    });
  });

  it("fails with DaytimeParseError for an unreadable reply, ConnectionLost for an unclean close", () => {
    const a = connected();
    let fa: Failure | undefined;
    a.client.deferred.addErrback((f) => {
      fa = f;
    });
    a.client.dataReceived(Buffer.from("teatime\r\n"));
    a.transport.loseConnection();
    expect(fa?.check(DaytimeParseError)).toBeTruthy();

    const b = connected();
    let fb: Failure | undefined;
    b.client.deferred.addErrback((f) => {
      fb = f;
    });
    b.transport.abortConnection();
    expect(fb?.check(ConnectionLost)).toBeTruthy();
  });

  it("reads other servers' formats with their zones", () => {
    expect(parseDaytime("2006-04-18T23:53:09Z").getTime()).toBe(Date.UTC(2006, 3, 18, 23, 53, 9));
    expect(parseDaytime("Tue, 18 Apr 2006 23:53:09 +0100\n").getTime()).toBe(
      Date.UTC(2006, 3, 18, 22, 53, 9),
    );
  });
});

describe("the UDP servers' guard", () => {
  it("Daytime and Time answer no small service's port, and a client's", () => {
    const clock = new Clock();
    for (const proto of [new DaytimeDatagram(clock), new TimeDatagram(clock)]) {
      const transport = new StringDatagramTransport();
      proto.makeConnection(transport);
      for (const port of SMALL_SERVICE_PORTS)
        proto.datagramReceived(Buffer.alloc(0), ["10.0.0.9", port]);
      expect(transport.written).toEqual([]);
      proto.datagramReceived(Buffer.alloc(0), ["10.0.0.9", 40000]);
      expect(transport.written.length).toBe(1);
    }
  });

  it("the guard runs on the clock given", () => {
    const clock = new Clock();
    const proto = new TimeDatagram(
      clock,
      new DatagramGuard({ clock, ratePerSource: 1, burstPerSource: 1 }),
    );
    const transport = new StringDatagramTransport();
    proto.makeConnection(transport);
    proto.datagramReceived(Buffer.alloc(0), ["10.0.0.9", 40000]);
    proto.datagramReceived(Buffer.alloc(0), ["10.0.0.9", 40000]);
    expect(transport.written.length).toBe(1);
    clock.advance(1);
    proto.datagramReceived(Buffer.alloc(0), ["10.0.0.9", 40000]);
    expect(transport.written.length).toBe(2);
  });
});
