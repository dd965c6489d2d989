import { describe, expect, it } from "vitest";
import { ctime, parseAsctime } from "./ctime.ts";

// 2006-04-18 23:53:09 UTC, the tutorial's example time.
const TUTORIAL = Date.UTC(2006, 3, 18, 23, 53, 9) / 1000;

describe("ctime", () => {
  it("formats as Python's time.ctime, day padded with a space", () => {
    expect(ctime(TUTORIAL, "UTC")).toBe("Tue Apr 18 23:53:09 2006");
    expect(ctime(0, "UTC")).toBe("Thu Jan  1 00:00:00 1970");
    expect(ctime(0.999, "UTC")).toBe("Thu Jan  1 00:00:00 1970");
    expect(ctime(TUTORIAL, "UTC")).toHaveLength(24);
  });

  it("formats in any IANA time zone", () => {
    expect(ctime(TUTORIAL, "Asia/Tokyo")).toBe("Wed Apr 19 08:53:09 2006");
    expect(ctime(0, "America/New_York")).toBe("Wed Dec 31 19:00:00 1969");
    expect(() => ctime(0, "Mars/Olympus_Mons")).toThrow(RangeError);
  });

  it("uses the process's local time by default, as time.ctime", () => {
    const d = new Date(TUTORIAL * 1000);
    const local = ctime(TUTORIAL);
    expect(local).toContain(`${String(d.getHours()).padStart(2, "0")}:53:09`);
    expect(local.endsWith(String(d.getFullYear()))).toBe(true);
  });
});

describe("parseAsctime", () => {
  it("reads asctime as UTC, and round-trips ctime", () => {
    expect(parseAsctime("Thu Jan  1 00:00:00 1970\r\n")?.getTime()).toBe(0);
    expect(parseAsctime(ctime(TUTORIAL, "UTC"))?.getTime()).toBe(TUTORIAL * 1000);
  });

  it("rejects other formats and impossible dates", () => {
    expect(parseAsctime("2006-04-18T23:53:09Z")).toBeUndefined();
    expect(parseAsctime("Thu Feb 30 00:00:00 1970")).toBeUndefined();
    expect(parseAsctime("Mon Jan  1 00:00:00 1970")).toBeUndefined(); // it was a Thursday
    expect(parseAsctime("Thu Jan  1 25:00:00 1970")).toBeUndefined();
  });
});
