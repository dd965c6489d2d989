import { describe, expect, it, vi } from "vitest";
import { Failure } from "../failure.ts";
import type { LogEvent } from "./event.ts";
import { LogBeginner, MORE_THAN_ONCE_WARNING } from "./global.ts";
import { Logger } from "./logger.ts";
import { LogPublisher } from "./observer.ts";
import { textFileLogObserver } from "./text.ts";

function setUp(initialBufferSize?: number) {
  const errors: string[] = [];
  const stdoutWrites: string[] = [];
  const stderrWrites: string[] = [];
  const stdio = {
    stdout: { write: (s: string): boolean => stdoutWrites.push(s) > 0 },
    stderr: { write: (s: string): boolean => stderrWrites.push(s) > 0 },
  };
  const publisher = new LogPublisher();
  const beginner = new LogBeginner(
    publisher,
    { write: (s: string) => errors.push(s) },
    stdio,
    initialBufferSize === undefined ? {} : { initialBufferSize },
  );
  const log = new Logger("test", undefined, publisher);
  const events: LogEvent[] = [];
  const collect = (e: LogEvent): void => {
    events.push(e);
  };
  return { errors, stdio, stdoutWrites, stderrWrites, publisher, beginner, log, events, collect };
}

describe("LogBeginner", () => {
  it("buffers events until logging begins, then replays them in order", () => {
    const { beginner, log, events, collect } = setUp();
    log.info("one");
    log.debug("two");
    expect(events).toEqual([]);
    beginner.beginLoggingTo([collect], { redirectStandardIO: false });
    log.info("three");
    expect(events.map((e) => e.log_format)).toEqual(["one", "two", "three"]);
  });

  it("keeps only the newest events, up to its bound", () => {
    const { beginner, log, events, collect } = setUp(3);
    for (let i = 0; i < 10; i++) log.info(`e${i}`);
    beginner.beginLoggingTo([collect], { redirectStandardIO: false });
    expect(events.map((e) => e.log_format)).toEqual(["e7", "e8", "e9"]);
  });

  it("can discard the buffer instead", () => {
    const { beginner, log, events, collect } = setUp();
    log.info("old");
    beginner.beginLoggingTo([collect], { discardBuffer: true, redirectStandardIO: false });
    log.info("new");
    expect(events.map((e) => e.log_format)).toEqual(["new"]);
  });

  it("writes critical events to the error stream until logging begins", () => {
    const { beginner, log, errors, collect } = setUp();
    log.error("not this");
    const error = new Error("unhandled");
    error.stack = "Error: unhandled\n    at here (x.ts:1:1)";
    log.failure("Unhandled error in {what}", new Failure(error), { what: "a callback" });
    expect(errors).toEqual([
      "Unhandled error in a callback\nError: unhandled\n    at here (x.ts:1:1)\n",
    ]);
    beginner.beginLoggingTo([collect], { redirectStandardIO: false });
    log.critical("after");
    expect(errors).toHaveLength(1);
  });

  it("warns, and adds the observers, when asked to begin twice", () => {
    const { beginner, log, events, collect } = setUp();
    beginner.beginLoggingTo([collect], { redirectStandardIO: false });
    const second: LogEvent[] = [];
    beginner.beginLoggingTo([(e) => second.push(e)], { redirectStandardIO: false });
    const warning = events.find((e) => e.log_format === MORE_THAN_ONCE_WARNING);
    expect(warning?.log_level).toBe("warn");
    expect(String(warning?.locationNow)).toMatch(/global\.test\.ts:\d+:\d+/);
    expect(String(warning?.locationThen)).toMatch(/global\.test\.ts:\d+:\d+/);
    log.info("both");
    expect(second.at(-1)?.log_format).toBe("both");
  });

  it("redirects standard output and error into the log, line by line", () => {
    const { beginner, stdio, stdoutWrites, stderrWrites, events, collect } = setUp();
    beginner.beginLoggingTo([collect]);
    stdio.stdout.write("hello\nwor");
    stdio.stdout.write("ld\n");
    const done = vi.fn();
    (stdio.stderr.write as (s: string, cb: () => void) => boolean)("oops\n", done);
    expect(events.map((e) => [e.log_namespace, e.log_level, e.log_io])).toEqual([
      ["stdout", "info", "hello"],
      ["stdout", "info", "world"],
      ["stderr", "error", "oops"],
    ]);
    expect(stdoutWrites).toEqual([]);
    expect(stderrWrites).toEqual([]);
    beginner.stopRedirectingStandardIO();
    stdio.stdout.write("direct\n");
    expect(stdoutWrites).toEqual(["direct\n"]);
    return Promise.resolve().then(() => expect(done).toHaveBeenCalled());
  });

  it("does not loop when the log itself goes to a redirected stream", () => {
    const { beginner, stdio, stdoutWrites } = setUp();
    beginner.beginLoggingTo([textFileLogObserver(stdio.stdout, { formatTime: () => "T" })]);
    stdio.stdout.write("printed\n");
    expect(stdoutWrites).toEqual(["T [stdout#info] printed\n"]);
    beginner.stopRedirectingStandardIO();
  });

  it("writes with the original stream when an observer prints while handling output", () => {
    const { beginner, stdio, stdoutWrites } = setUp();
    beginner.beginLoggingTo([(e) => void stdio.stdout.write(`seen ${String(e.log_io)}\n`)]);
    stdio.stdout.write("x\n");
    expect(stdoutWrites).toEqual(["seen x\n"]);
    beginner.stopRedirectingStandardIO();
  });
});

describe("the global logger", () => {
  it("has no side effect at import: no output, no timers, no listeners", async () => {
    vi.resetModules();
    const stdout = vi.spyOn(process.stdout, "write");
    const stderr = vi.spyOn(process.stderr, "write");
    const setTimeoutSpy = vi.spyOn(globalThis, "setTimeout");
    const setIntervalSpy = vi.spyOn(globalThis, "setInterval");
    const listeners = process.listenerCount("exit") + process.listenerCount("warning");
    try {
      const mod = await import("./global.ts");
      expect(mod.globalLogPublisher.observers).toHaveLength(1); // the beginner's buffer
      expect(stdout).not.toHaveBeenCalled();
      expect(stderr).not.toHaveBeenCalled();
      expect(setTimeoutSpy).not.toHaveBeenCalled();
      expect(setIntervalSpy).not.toHaveBeenCalled();
      expect(process.listenerCount("exit") + process.listenerCount("warning")).toBe(listeners);
      // Loggers send to the global publisher, which buffers until logging begins.
      const { Logger: FreshLogger } = await import("./logger.ts");
      const before = stdout.mock.calls.length;
      new FreshLogger("quiet").info("buffered, not printed");
      expect(stdout.mock.calls.length).toBe(before);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      setTimeoutSpy.mockRestore();
      setIntervalSpy.mockRestore();
    }
  });
});
