import { Clock, StringTransport } from "@torsion/core/testing";
import { forEveryChunking } from "@torsion/test-utils";
import { describe, expect, it } from "vitest";
import { Timestamp } from "./timestamp.ts";

const TUTORIAL = Date.UTC(2006, 3, 18, 23, 53, 9) / 1000;

function clockAt(seconds: number): Clock {
  const clock = new Clock();
  clock.advance(seconds);
  return clock;
}

describe("Timestamp", () => {
  it("replies [ctime] data, as the tutorial's server, and keeps the connection open", () => {
    const transport = new StringTransport();
    const proto = new Timestamp({ clock: clockAt(TUTORIAL), timeZone: "UTC" });
    proto.makeConnection(transport);
    proto.dataReceived(Buffer.from("Where is hope"));
    expect(transport.value().toString()).toBe("[Tue Apr 18 23:53:09 2006] Where is hope");
    expect(transport.disconnecting).toBe(false);
  });

  it("stamps each chunk as it comes, unframed, with the clock's time at that moment", () => {
    const input = Buffer.from("abcdef");
    forEveryChunking(input, (chunks) => {
      const clock = clockAt(0);
      const transport = new StringTransport();
      const proto = new Timestamp({ clock, timeZone: "UTC" });
      proto.makeConnection(transport);
      let expected = "";
      for (const [i, chunk] of chunks.entries()) {
        proto.dataReceived(chunk);
        expected += `[Thu Jan  1 00:00:0${i} 1970] ${chunk}`;
        clock.advance(1);
      }
      expect(transport.value().toString()).toBe(expected);
    });
  });

  it("passes bytes through untouched", () => {
    const transport = new StringTransport();
    const proto = new Timestamp({ clock: clockAt(0), timeZone: "UTC" });
    proto.makeConnection(transport);
    proto.dataReceived(Buffer.from([0xff, 0x00, 0x0a]));
    expect(transport.value().subarray(27)).toEqual(Buffer.from([0xff, 0x00, 0x0a]));
  });

  it("stamps in the given time zone, and refuses an unknown one at construction", () => {
    const transport = new StringTransport();
    const proto = new Timestamp({ clock: clockAt(TUTORIAL), timeZone: "Asia/Tokyo" });
    proto.makeConnection(transport);
    proto.dataReceived(Buffer.from("x"));
    expect(transport.value().toString()).toBe("[Wed Apr 19 08:53:09 2006] x");
    expect(() => new Timestamp({ timeZone: "Nowhere/Special" })).toThrow(RangeError);
  });
});
