import { describe, expect, it } from "vitest";
import { Clock } from "../testing/clock.ts";
import { DatagramGuard, SMALL_SERVICE_PORTS } from "./datagram-guard.ts";

describe("DatagramGuard", () => {
  it("refuses source port 0 and the small services' ports, as BSD inetd does", () => {
    const guard = new DatagramGuard({ clock: new Clock() });
    for (const port of [0, 7, 9, 13, 17, 19, 37]) {
      expect(guard.allows(["127.0.0.1", port]), `port ${port}`).toBe(false);
    }
    expect(guard.refusedByPort).toBe(7);
    expect(guard.allows(["127.0.0.1", 40000])).toBe(true);
    expect(guard.allows(["127.0.0.1", 8007])).toBe(true);
    expect([...SMALL_SERVICE_PORTS]).toEqual([0, 7, 9, 13, 17, 19, 37]);
  });

  it("takes another list of blocked ports", () => {
    const guard = new DatagramGuard({ clock: new Clock(), blockedSourcePorts: [5000] });
    expect(guard.allows(["::1", 5000])).toBe(false);
    expect(guard.allows(["::1", 7])).toBe(true);
  });

  it("lets a burst through, then the sustained rate, per source host", () => {
    const clock = new Clock();
    const guard = new DatagramGuard({ clock, ratePerSource: 10, burstPerSource: 5 });
    const answered = () => {
      let n = 0;
      for (let i = 0; i < 100; i++) if (guard.allows(["10.0.0.1", 40000 + i])) n++;
      return n;
    };
    expect(answered()).toBe(5);
    expect(guard.refusedByRate).toBe(95);
    // Another host has its own bucket.
    expect(guard.allows(["10.0.0.2", 40000])).toBe(true);
    clock.advance(0.5); // 10/s for half a second: 5 tokens back
    expect(answered()).toBe(5);
    clock.advance(100); // refills only up to the burst
    expect(answered()).toBe(5);
  });

  it("Infinity turns the rate limit off but keeps the port rule", () => {
    const guard = new DatagramGuard({ clock: new Clock(), ratePerSource: Infinity });
    for (let i = 0; i < 10_000; i++) expect(guard.allows(["10.0.0.1", 40000])).toBe(true);
    expect(guard.allows(["10.0.0.1", 0])).toBe(false);
    expect(guard.trackedSources).toBe(0);
  });

  it("remembers at most maxSources hosts, forgetting the least recently seen", () => {
    const clock = new Clock();
    const guard = new DatagramGuard({ clock, burstPerSource: 1, maxSources: 3 });
    for (const host of ["a", "b", "c"]) expect(guard.allows([host, 1000])).toBe(true);
    expect(guard.allows(["a", 1000])).toBe(false); // a is now most recent, with no token
    expect(guard.allows(["d", 1000])).toBe(true); // evicts b, the least recently seen
    expect(guard.trackedSources).toBe(3);
    expect(guard.allows(["b", 1000])).toBe(true); // forgotten, so a fresh bucket (evicts c)
    expect(guard.allows(["a", 1000])).toBe(false); // a still remembered
    for (let i = 0; i < 50_000; i++) guard.allows([`h${i}`, 1000]);
    expect(guard.trackedSources).toBe(3);
  });

  it("rejects nonsense limits with a clear message", () => {
    const clock = new Clock();
    expect(() => new DatagramGuard({ clock, ratePerSource: 0 })).toThrow(
      /ratePerSource must be > 0/,
    );
    expect(() => new DatagramGuard({ clock, burstPerSource: 0 })).toThrow(/burstPerSource/);
    expect(() => new DatagramGuard({ clock, maxSources: 0 })).toThrow(/maxSources/);
    expect(DatagramGuard.defaults).toEqual({
      ratePerSource: 20,
      burstPerSource: 40,
      maxSources: 10_000,
    });
  });
});
