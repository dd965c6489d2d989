import { describe, expect, it } from "vitest";
import { ConnectionRefusedError } from "../errors.ts";
import { Failure } from "../failure.ts";
import type { LogEvent } from "./event.ts";
import { eventAsJSON, jsonFileLogObserver, pinoLevels } from "./json.ts";
import { Logger } from "./logger.ts";

function capture(): { lines: () => Record<string, any>[]; log: Logger; raw: string[] } {
  const raw: string[] = [];
  const observer = jsonFileLogObserver({ write: (s: string) => raw.push(s) });
  return {
    raw,
    log: new Logger("echo.server", undefined, observer),
    lines: () =>
      raw.map((s) => {
        expect(s.endsWith("\n")).toBe(true);
        expect(s.slice(0, -1)).not.toContain("\n");
        return JSON.parse(s);
      }),
  };
}

describe("jsonFileLogObserver", () => {
  it("writes one pino-shaped object a line", () => {
    const { log, lines } = capture();
    const before = Date.now();
    log.info("{peer} connected", { peer: "127.0.0.1", count: 3 });
    const after = Date.now();
    const [line] = lines();
    expect(line).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: process.pid,
      namespace: "echo.server",
      peer: "127.0.0.1",
      count: 3,
      msg: "127.0.0.1 connected",
    });
    expect(Number.isInteger(line!.time)).toBe(true);
    expect(line!.time).toBeGreaterThanOrEqual(before - 1);
    expect(line!.time).toBeLessThanOrEqual(after + 1);
  });

  it("maps levels to pino's numbers, critical to fatal (60)", () => {
    const { log, lines } = capture();
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    log.critical("c");
    expect(lines().map((l) => l.level)).toEqual([20, 30, 40, 50, 60]);
    expect(pinoLevels).toEqual({ debug: 20, info: 30, warn: 40, error: 50, critical: 60 });
  });

  it("writes log_system as system and skips the other log_* keys", () => {
    const { log, lines } = capture();
    log.info("x", { log_system: "Echo,3,127.0.0.1", log_io: "hidden" });
    const [line] = lines();
    expect(line!.system).toBe("Echo,3,127.0.0.1");
    expect(Object.keys(line!).filter((k) => k.startsWith("log_"))).toEqual([]);
  });

  it("writes a failure as pino's err {type, message, stack}", () => {
    const { log, lines } = capture();
    const cause = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const error = new ConnectionRefusedError("Connection was refused", { cause });
    log.failure("connecting to {host}", new Failure(error), { host: "example.com" });
    const [line] = lines();
    expect(line!.level).toBe(60);
    expect(line!.msg).toBe("connecting to example.com");
    expect(line!.err.type).toBe("ConnectionRefusedError");
    expect(line!.err.message).toBe("Connection was refused");
    expect(line!.err.stack).toMatch(/^ConnectionRefusedError: Connection was refused\n\s+at /);
    expect(line!.err.stack).toMatch(/Caused by: Error: connect ECONNREFUSED/);
  });

  it("describes thrown non-errors and Error fields", () => {
    const { log, lines } = capture();
    log.failure("odd", new Failure("a string"), {
      other: Object.assign(new TypeError("t"), { code: "E_T" }),
    });
    const [line] = lines();
    expect(line!.err).toMatchObject({ type: "string", message: "a string" });
    expect(line!.other).toMatchObject({ type: "TypeError", message: "t", code: "E_T" });
  });

  it("never throws on values JSON cannot hold", () => {
    const { log, lines } = capture();
    const cycle: Record<string, unknown> = { name: "loop" };
    cycle.self = cycle;
    const shared = { v: 1 };
    log.info("weird", {
      big: 12345678901234567890n,
      fn: function namedFn() {},
      cycle,
      pair: [shared, shared],
      nan: Number.NaN,
      undef: undefined,
      sym: Symbol("s"),
      date: new Date(0),
      buf: Buffer.from("hi"),
      map: new Map([["k", 1]]),
      set: new Set([1, 2]),
      getter: {
        get bad(): never {
          throw new Error("no");
        },
      },
      withToJSON: { toJSON: () => ({ ok: true }) },
    });
    const [line] = lines();
    expect(line).toMatchObject({
      big: "12345678901234567890",
      fn: "[Function: namedFn]",
      cycle: { name: "loop", self: "[Circular]" },
      pair: [{ v: 1 }, { v: 1 }],
      nan: "NaN",
      sym: "Symbol(s)",
      date: "1970-01-01T00:00:00.000Z",
      map: { k: 1 },
      set: [1, 2],
      getter: { bad: "[Unserializable: Error: no]" },
      withToJSON: { ok: true },
    });
    expect(line!.buf).toMatch(/^<Buffer 68 69>$/);
    expect(line).not.toHaveProperty("undef");
  });

  it("cuts very deep values", () => {
    let deep: Record<string, unknown> = { end: true };
    for (let i = 0; i < 20; i++) deep = { d: deep };
    const json = JSON.parse(
      eventAsJSON({
        log_format: null,
        log_level: "info",
        log_namespace: "n",
        log_time: 1,
        deep,
      }),
    );
    expect(JSON.stringify(json.deep)).toContain('"[Object]"');
  });

  it("keeps its own keys when a field has the same name", () => {
    const { log, lines } = capture();
    log.info("real message", { msg: "field", time: "noon", level: "high" });
    const [line] = lines();
    expect(line).toMatchObject({
      msg: "real message",
      level: 30,
      _msg: "field",
      _time: "noon",
      _level: "high",
    });
    expect(typeof line!.time).toBe("number");
  });

  it("still writes valid JSON for a hostile event", () => {
    const hostile = new Proxy(
      { log_format: "x", log_level: "info", log_namespace: "n", log_time: 1 } as LogEvent,
      {
        ownKeys() {
          throw new Error("no keys");
        },
      },
    );
    const parsed = JSON.parse(eventAsJSON(hostile));
    expect(parsed).toMatchObject({ level: 30, time: 1000, msg: "Unable to serialize log event" });
    expect(parsed.serializationError).toMatch(/no keys/);
  });
});
