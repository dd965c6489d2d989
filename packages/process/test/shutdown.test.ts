import { fileURLToPath } from "node:url";
import {
  createReactor,
  type Failure,
  globalLogPublisher,
  type LogEvent,
  ProcessTerminated,
} from "@torsion/core";
import { describe, expect, it } from "vitest";
import { getProcessOutputAndValue, spawnProcess } from "../src/index.ts";
import { Recorder } from "./helpers.ts";

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function logged(): { events: LogEvent[]; stop: () => void } {
  const events: LogEvent[] = [];
  const observer = (e: LogEvent) => events.push(e);
  globalLogPublisher.addObserver(observer);
  return { events, stop: () => globalLogPublisher.removeObserver(observer) };
}

describe("children at the reactor's shutdown", () => {
  it("a running child gets SIGTERM and the shutdown waits for it to exit", async () => {
    const reactor = createReactor();
    const proto = new Recorder();
    const t = spawnProcess(proto, "sleep", ["60"], { reactor });
    const log = logged();
    reactor.callLater(0.05, () => reactor.stop());
    await reactor.run();
    log.stop();
    // The before-shutdown trigger held the shutdown until the child had exited.
    expect(t.pid).toBeNull();
    const reason = (await proto.exited) as Failure;
    expect(reason.value).toBeInstanceOf(ProcessTerminated);
    // A name before 0.1.0, Twisted's number after: either way SIGTERM.
    expect(String((reason.value as ProcessTerminated).signal)).toMatch(/^(SIGTERM|15)$/);
    expect(log.events.some((e) => String(e.log_format).includes("sent SIGTERM"))).toBe(true);
  });

  it("a child that ignores SIGTERM gets SIGKILL after its kill timeout, and it is logged", async () => {
    const reactor = createReactor();
    const proto = new Recorder();
    spawnProcess(proto, "sh", ["-c", 'trap "" TERM; exec sleep 60'], { reactor, killTimeout: 0.2 });
    // Let the shell install its trap before the shutdown.
    await new Promise((r) => setTimeout(r, 200));
    const log = logged();
    reactor.callLater(0, () => reactor.stop());
    await reactor.run();
    log.stop();
    const reason = (await proto.exited) as Failure;
    expect(String((reason.value as ProcessTerminated).signal)).toMatch(/^(SIGKILL|9)$/);
    expect(log.events.some((e) => String(e.log_format).includes("sent SIGKILL"))).toBe(true);
  });

  it("killTimeout: null leaves the child running, as Twisted does", async () => {
    const reactor = createReactor();
    const proto = new Recorder();
    const t = spawnProcess(proto, "sleep", ["60"], { reactor, killTimeout: null });
    const pid = t.pid as number;
    reactor.callLater(0.05, () => reactor.stop());
    await reactor.run();
    expect(alive(pid)).toBe(true);
    t.signalProcess("KILL");
    await proto.ended;
  });

  it("a child that already exited is left alone and does not delay the shutdown", async () => {
    const reactor = createReactor();
    const proto = new Recorder();
    spawnProcess(proto, "true", [], { reactor });
    await proto.ended;
    const log = logged();
    reactor.callLater(0, () => reactor.stop());
    await reactor.run();
    log.stop();
    expect(log.events.some((e) => String(e.log_format).includes("SIGTERM"))).toBe(false);
  });

  for (const mode of ["plain", "trap"]) {
    it(`reactor.stop() does not leave Node running because of a child (${mode})`, async () => {
      const [out, err, code] = await getProcessOutputAndValue(
        process.execPath,
        [
          "--conditions=@torsion/source",
          "--import",
          fixture("ts-hooks.mjs"),
          fixture("stop-with-child.mjs"),
          mode,
        ],
        { env: { ...process.env, TORSION_TEST_LOG: "" } },
      );
      expect(code, err.toString()).toBe(0);
      const text = out.toString();
      expect(text).toContain("run resolved");
      const pid = Number(/child (\d+)/.exec(text)?.[1]);
      expect(pid).toBeGreaterThan(0);
      expect(alive(pid)).toBe(false);
    }, 60_000);
  }
});
