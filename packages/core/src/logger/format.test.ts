import { describe, expect, it } from "vitest";
import { Failure } from "../failure.ts";
import type { LogEvent } from "./event.ts";
import {
  eventAsText,
  formatEvent,
  formatEventAsClassicLogText,
  formatSystem,
  formatTime,
} from "./format.ts";

function event(format: string | null, fields: Record<string, unknown> = {}): LogEvent {
  return {
    log_format: format,
    log_level: "info",
    log_namespace: "test.ns",
    log_time: 1_795_933_103.25,
    ...fields,
  };
}

const fixedTime = (): string => "2026-11-24T04:18:23+0000";

describe("formatEvent", () => {
  it("renders {key} with the event's keys", () => {
    expect(formatEvent(event("{peer} sent {n} bytes", { peer: "1.2.3.4", n: 12 }))).toBe(
      "1.2.3.4 sent 12 bytes",
    );
    expect(formatEvent(event("level {log_level} in {log_namespace}"))).toBe(
      "level info in test.ns",
    );
  });

  it("treats {{ and }} as literal braces", () => {
    expect(formatEvent(event("{{x}} is {x} }}{{", { x: 1 }))).toBe("{x} is 1 }{");
  });

  it("renders a missing key as MISSING KEY text, keeping the rest of the message", () => {
    expect(formatEvent(event("hello {name}, from {place}", { place: "here" }))).toBe(
      "hello <MISSING KEY: name>, from here",
    );
    // Only the event's own keys count, not inherited ones.
    expect(formatEvent(event("{constructor}"))).toBe("<MISSING KEY: constructor>");
  });

  it("supports attribute and index access, and calls with ()", () => {
    const fields = {
      a: { b: { c: "deep" } },
      list: ["zero", "one"],
      map: { "some key": 5 },
      counter: {
        n: 41,
        next() {
          return this.n + 1;
        },
      },
      fn: () => "called",
    };
    expect(formatEvent(event("{a.b.c} {list[1]} {map[some key]}", fields))).toBe("deep one 5");
    expect(formatEvent(event("{fn()} {counter.next()}", fields))).toBe("called 42");
    expect(formatEvent(event("{a.x.y}", fields))).toBe("<MISSING KEY: a.x.y>");
    expect(formatEvent(event("{list[5]}", fields))).toBe("<MISSING KEY: list[5]>");
  });

  it("renders values readably: objects inspected, errors and Failures by their text", () => {
    const text = formatEvent(
      event("{o} {arr} {e} {f} {u} {nul} {big}", {
        o: { x: 1 },
        arr: [1, "a"],
        e: new RangeError("bad"),
        f: new Failure(new Error("boom")),
        u: undefined,
        nul: null,
        big: 10n,
      }),
    );
    expect(text).toBe(
      "{ x: 1 } [ 1, 'a' ] RangeError: bad [Failure instance: Error: boom] undefined null 10",
    );
  });

  it("supports !r (repr) and a subset of format specs", () => {
    expect(formatEvent(event("{s!r} {s!s} {s}", { s: "x" }))).toBe("'x' x x");
    expect(formatEvent(event("[{n:>5}] [{n:<5}] [{n:^5}] [{n:05}]", { n: 42 }))).toBe(
      "[   42] [42   ] [ 42  ] [00042]",
    );
    expect(
      formatEvent(
        event("{x:.2f} {big:,d} {h:x} {h:#X} {p:.1%} {s:.2}", {
          x: Math.PI,
          big: 1234567,
          h: 255,
          p: 0.256,
          s: "abc",
        }),
      ),
    ).toBe("3.14 1,234,567 ff 0XFF 25.6% ab");
    expect(formatEvent(event("{n:+d} {m:d}", { n: 3, m: -3 }))).toBe("+3 -3");
  });

  it("reports a format that throws instead of throwing", () => {
    const hostile = {
      toString(): string {
        throw new Error("no text for you");
      },
    };
    const text = formatEvent(event("value {v}", { v: hostile }));
    expect(text).toMatch(/^Unable to format event .*: Error: no text for you$/s);
    expect(text).toContain("log_namespace: 'test.ns'");

    const getter = formatEvent(
      event("{o.x}", {
        o: {
          get x(): string {
            throw new TypeError("getter");
          },
        },
      }),
    );
    expect(getter).toMatch(/^Unable to format event .*: TypeError: getter$/s);
    expect(formatEvent(event("{notFn()}", { notFn: 3 }))).toMatch(/'notFn\(\)' is not callable/);
  });

  it("reports malformed format strings", () => {
    expect(formatEvent(event("open {brace"))).toMatch(/Unable to format event .*expected '}'/s);
    expect(formatEvent(event("single } close"))).toMatch(/Single '}' encountered/);
    expect(formatEvent(event("{}"))).toMatch(/positional/);
  });

  it("makes an event with positional fields unformattable, as Twisted does", () => {
    // Twisted 22.4: formatEvent({"log_format": "{0}"}) ==
    //   "Unable to format event {'log_format': '{0}'}: tuple index out of range"
    for (const format of ["{0}", "{}", "x {} y", "{a} {0}", "{0.x}", "{1[2]}", "{0!r}", "{0:>5}"]) {
      const text = formatEvent(event(format, { a: 1, 0: "zero" }));
      expect(text, format).toMatch(
        /^Unable to format event .*: IndexError: tuple index out of range/s,
      );
    }
    // A name that merely starts with a digit is still a key, as in Python.
    expect(formatEvent(event("{0a}", { "0a": "ok" }))).toBe("ok");
    expect(formatEvent(event("{x!z}", { x: 1 }))).toMatch(/Unknown conversion specifier z/);
    expect(formatEvent(event("{x:??}", { x: 1 }))).toMatch(/Invalid format specifier/);
    expect(formatEvent(event(42 as unknown as string))).toMatch(/Log format must be a string/);
  });

  it("survives an event that even inspection chokes on", () => {
    const evil = new Proxy(event("{x}", { x: 1 }), {
      get(target, key) {
        if (key === "x") throw new Error("trap");
        return Reflect.get(target, key);
      },
      getOwnPropertyDescriptor() {
        throw new Error("descriptor trap");
      },
    });
    const text = formatEvent(evil);
    expect(typeof text).toBe("string");
    expect(text).toMatch(/trap/);
  });

  it("returns an empty string for an event without a format", () => {
    expect(formatEvent(event(null))).toBe("");
  });
});

describe("formatTime", () => {
  it("formats RFC 3339 local time with its offset, round-tripping to the same second", () => {
    for (const when of [0, 1_795_933_103.999, 1_700_000_000, 951_782_400]) {
      const text = formatTime(when);
      expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$/);
      const iso = `${text.slice(0, -2)}:${text.slice(-2)}`;
      expect(Date.parse(iso)).toBe(Math.floor(when) * 1000);
    }
  });

  it("supports other strftime codes and the defaults", () => {
    const when = 1_795_933_103.25;
    const d = new Date(when * 1000);
    expect(formatTime(when, "%Y/%m/%d %%")).toBe(
      `${d.getFullYear()}/${String(d.getMonth() + 1).padStart(2, "0")}/${String(d.getDate()).padStart(2, "0")} %`,
    );
    expect(formatTime(when, "%f")).toBe("250000");
    expect(formatTime(when, "%s")).toBe("1795933103");
    expect(formatTime(undefined)).toBe("-");
    expect(formatTime(when, null)).toBe("-");
    expect(formatTime(Number.NaN, undefined, "?")).toBe("?");
  });
});

describe("classic text", () => {
  it("is `time [namespace#level] message`", () => {
    expect(formatEventAsClassicLogText(event("Hello!"), fixedTime)).toBe(
      "2026-11-24T04:18:23+0000 [test.ns#info] Hello!\n",
    );
  });

  it("shows log_system instead of namespace#level when set", () => {
    const e = event("Connection lost", { log_system: "Echo,3,127.0.0.1" });
    expect(formatEventAsClassicLogText(e, fixedTime)).toBe(
      "2026-11-24T04:18:23+0000 [Echo,3,127.0.0.1] Connection lost\n",
    );
    expect(formatSystem({ log_format: "x" } as LogEvent)).toBe("-#-");
  });

  it("indents continuation lines and the failure traceback by a tab", () => {
    const error = new Error("boom");
    error.stack = "Error: boom\n    at one (a.ts:1:1)\n    at two (b.ts:2:2)";
    const e = event("first\nsecond", { log_failure: new Failure(error), log_level: "critical" });
    expect(formatEventAsClassicLogText(e, fixedTime)).toBe(
      "2026-11-24T04:18:23+0000 [test.ns#critical] first\n" +
        "\tsecond\n" +
        "\tError: boom\n" +
        "\t    at one (a.ts:1:1)\n" +
        "\t    at two (b.ts:2:2)\n",
    );
  });

  it("reports a traceback that cannot be had", () => {
    const broken = {
      getTraceback(): string {
        throw new Error("no stack");
      },
    } as unknown as Failure;
    expect(eventAsText(event("x", { log_failure: broken }), { formatTime: fixedTime })).toBe(
      "2026-11-24T04:18:23+0000 [test.ns#info] x\n(UNABLE TO OBTAIN TRACEBACK FROM EVENT): Error: no stack",
    );
  });

  it("writes nothing for an event without message or failure", () => {
    expect(formatEventAsClassicLogText(event(null), fixedTime)).toBeNull();
    expect(eventAsText(event(null))).toBe("");
  });

  it("can leave out the timestamp and the system", () => {
    expect(eventAsText(event("hi"), { includeTimestamp: false, includeSystem: false })).toBe("hi");
    expect(eventAsText(event("hi"), { includeTimestamp: false })).toBe("[test.ns#info] hi");
  });
});
