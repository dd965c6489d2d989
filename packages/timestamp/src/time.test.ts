import { ConnectionLost, type Failure } from "@torsion/core";
import {
  Clock,
  StringDatagramTransport,
  StringTransport,
  StringTransportWithDisconnection,
} from "@torsion/core/testing";
import { forEveryChunking } from "@torsion/test-utils";
import { describe, expect, it } from "vitest";
import {
  encodeTime,
  fromRFC868,
  RFC868_OFFSET,
  Time,
  TimeClient,
  TimeDatagram,
  toRFC868,
} from "./time.ts";

function clockAt(seconds: number): Clock {
  const clock = new Clock();
  clock.advance(seconds);
  return clock;
}

const WRAP_2036 = 2 ** 32 - RFC868_OFFSET; // 2036-02-07T06:28:16Z in Unix seconds

describe("RFC 868 arithmetic", () => {
  it("counts unsigned seconds since 1900, modulo 2^32", () => {
    expect(toRFC868(0)).toBe(2_208_988_800);
    expect(toRFC868(-RFC868_OFFSET)).toBe(0); // 1900-01-01
    expect(new Date(WRAP_2036 * 1000).toISOString()).toBe("2036-02-07T06:28:16.000Z");
    expect(toRFC868(WRAP_2036 - 1)).toBe(2 ** 32 - 1);
    expect(toRFC868(WRAP_2036)).toBe(0);
    expect(toRFC868(2 ** 31)).toBe((2 ** 31 + RFC868_OFFSET) % 2 ** 32); // 2038: Twisted's signed int overflows here
    expect(encodeTime(0)).toEqual(Buffer.from([0x83, 0xaa, 0x7e, 0x80]));
  });

  it("reads a value in the era nearest the client's clock, across the 2036 wrap", () => {
    const now2020 = Date.UTC(2020, 0, 1) / 1000;
    expect(fromRFC868(toRFC868(now2020), now2020)).toBe(now2020);
    const after = WRAP_2036 + 86_400; // a server a day past the wrap sends a small number
    expect(toRFC868(after)).toBe(86_400);
    expect(fromRFC868(86_400, WRAP_2036 - 3600)).toBe(after); // a client an hour before it
    expect(fromRFC868(toRFC868(WRAP_2036 - 5), WRAP_2036 + 5)).toBe(WRAP_2036 - 5);
    expect(fromRFC868(toRFC868(0), Date.UTC(2030, 0, 1) / 1000)).toBe(0);
    // 120 years on, 1970's value is nearer to 2106 (the next era): ±68 years is the window.
    expect(fromRFC868(toRFC868(0), Date.UTC(2090, 0, 1) / 1000)).toBe(2 ** 32);
  });
});

describe("Time", () => {
  it("sends 4 big-endian bytes and closes", () => {
    const t = Date.UTC(2030, 5, 1) / 1000;
    const transport = new StringTransport();
    new Time(clockAt(t)).makeConnection(transport);
    expect(transport.value()).toEqual(encodeTime(t));
    expect(transport.value().readUInt32BE(0)).toBe(t + RFC868_OFFSET);
    expect(transport.disconnecting).toBe(true);
  });

  it("answers each datagram with 4 bytes", () => {
    const transport = new StringDatagramTransport();
    const proto = new TimeDatagram(clockAt(WRAP_2036 + 7));
    proto.makeConnection(transport);
    proto.datagramReceived(Buffer.alloc(0), ["10.0.0.2", 40037]);
    expect(transport.written).toEqual([
      { data: Buffer.from([0, 0, 0, 7]), addr: ["10.0.0.2", 40037] },
    ]);
  });
});

describe("TimeClient", () => {
  it("fires with the Date from 4 bytes, whatever the chunking, and closes", () => {
    const t = Date.UTC(2024, 1, 29, 12) / 1000;
    forEveryChunking(encodeTime(t), (chunks) => {
      const client = new TimeClient(clockAt(t));
      const transport = new StringTransportWithDisconnection({ protocol: client });
      client.makeConnection(transport);
      let date: Date | undefined;
      client.deferred.addCallback((d) => {
        date = d;
      });
      for (const c of chunks) client.dataReceived(c);
      expect(date?.toISOString()).toBe("2024-02-29T12:00:00.000Z");
      expect(transport.disconnecting).toBe(true);
    });
  });

  it("fails with ConnectionLost when the server closes before 4 bytes", () => {
    const client = new TimeClient(clockAt(0));
    const transport = new StringTransportWithDisconnection({ protocol: client });
    client.makeConnection(transport);
    let failure: Failure | undefined;
    client.deferred.addErrback((f) => {
      failure = f;
    });
    client.dataReceived(Buffer.from([1, 2]));
    transport.loseConnection();
    expect(failure?.check(ConnectionLost)).toBeTruthy();
    expect(failure?.getErrorMessage()).toContain("after 2 of 4 bytes");
  });
});
