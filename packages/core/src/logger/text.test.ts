import { describe, expect, it } from "vitest";
import { Failure } from "../failure.ts";
import { Logger } from "./logger.ts";
import { textFileLogObserver } from "./text.ts";

function stream(): { chunks: string[]; write(s: string): boolean } {
  const chunks: string[] = [];
  return { chunks, write: (s: string) => chunks.push(s) > 0 };
}

describe("textFileLogObserver", () => {
  it("writes one classic line per event", () => {
    const out = stream();
    const log = new Logger(
      "echo",
      undefined,
      textFileLogObserver(out, {
        formatTime: () => "2026-11-24T04:18:23+0000",
      }),
    );
    log.info("listening on {port}", { port: 8007 });
    log.warn("connection lost", { log_system: "Echo,3,127.0.0.1" });
    expect(out.chunks).toEqual([
      "2026-11-24T04:18:23+0000 [echo#info] listening on 8007\n",
      "2026-11-24T04:18:23+0000 [Echo,3,127.0.0.1] connection lost\n",
    ]);
  });

  it("stamps lines with the event's log_time in RFC 3339 local time", () => {
    const out = stream();
    const observer = textFileLogObserver(out);
    const when = 1_795_933_103.5;
    observer({ log_format: "hi", log_level: "info", log_namespace: "ns", log_time: when });
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)([+-]\d\d)(\d\d) \[ns#info\] hi\n$/.exec(
      out.chunks[0]!,
    );
    expect(m).not.toBeNull();
    expect(Date.parse(`${m![1]}${m![2]}:${m![3]}`)).toBe(Math.floor(when) * 1000);
  });

  it("honours timeFormat, and null for no time", () => {
    const out = stream();
    const e = { log_format: "hi", log_level: "info", log_namespace: "ns", log_time: 0 } as const;
    textFileLogObserver(out, { timeFormat: "%s" })(e);
    textFileLogObserver(out, { timeFormat: null })(e);
    expect(out.chunks).toEqual(["0 [ns#info] hi\n", "- [ns#info] hi\n"]);
  });

  it("indents continuation lines and tracebacks by a tab", () => {
    const out = stream();
    const log = new Logger("app", undefined, textFileLogObserver(out, { formatTime: () => "T" }));
    const error = new Error("boom");
    error.stack = "Error: boom\n    at f (x.ts:1:2)";
    log.failure("two\nlines", new Failure(error));
    expect(out.chunks).toEqual([
      "T [app#critical] two\n\tlines\n\tError: boom\n\t    at f (x.ts:1:2)\n",
    ]);
  });

  it("writes nothing for an event with neither message nor failure", () => {
    const out = stream();
    textFileLogObserver(out)({
      log_format: null,
      log_level: "info",
      log_namespace: "n",
      log_time: 0,
    });
    expect(out.chunks).toEqual([]);
  });
});
