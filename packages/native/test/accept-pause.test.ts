/**
 * Out of file descriptors on the native transport: accepting pauses (nginx's 500 ms) instead of
 * spinning or dropping connections, the burst is logged once with a count, and serving resumes
 * by itself once descriptors free up. Run in a child Node whose descriptor limit is lowered
 * (`ulimit -n`), which then takes every descriptor left with files of its own.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ACCEPT_PAUSE_MS, available } from "../src/index.ts";

const coreDist = new URL("../../core/dist/index.js", import.meta.url).href;
const nativeDist = new URL("../dist/index.js", import.meta.url).href;

// The child: an echo server on the native transport, and commands on stdin to take every
// descriptor left ("hoard"), give them back ("release") and report its CPU time ("cpu").
const SERVER = `
  import { closeSync, openSync } from "node:fs";
  import { createInterface } from "node:readline";
  await import(${JSON.stringify(nativeDist)});
  const core = await import(${JSON.stringify(coreDist)});
  core.globalLogBeginner.beginLoggingTo([core.textFileLogObserver(process.stderr)], { redirectStandardIO: false });
  class Echo extends core.Protocol { dataReceived(data) { this.transport.write(data); } }
  const factory = core.Factory.forProtocol(Echo);
  factory.noisy = false;
  const reactor = core.createReactor({ transport: "native" });
  const port = await reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  const hoard = [];
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line === "hoard") {
      try { for (;;) hoard.push(openSync("/dev/null", "r")); } catch (e) { console.log("hoarded", hoard.length, e.code); }
    } else if (line === "release") {
      for (const fd of hoard.splice(0)) closeSync(fd);
      console.log("released");
    } else if (line === "cpu") {
      const u = process.cpuUsage();
      console.log("cpu", u.user + u.system);
    }
  });
  console.log("port", port.getHost().port);
`;

/** Lines of a stream, awaited one by one by prefix. */
class Lines {
  #text = "";
  #waiters: (() => void)[] = [];
  constructor(stream: NodeJS.ReadableStream) {
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      this.#text += chunk;
      for (const w of this.#waiters.splice(0)) w();
    });
  }
  get text(): string {
    return this.#text;
  }
  /** The next line (after `from`) matching `pattern`; resolves with its match. */
  async next(pattern: RegExp): Promise<RegExpMatchArray> {
    for (;;) {
      const match = this.#text.match(pattern);
      if (match !== null) {
        this.#text = this.#text.slice(match.index! + match[0].length);
        return match;
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
}

function echoOnce(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => s.write(text));
    let got = "";
    s.on("data", (d) => {
      got += d.toString();
      if (got.length >= text.length) {
        s.destroy();
        resolve(got);
      }
    });
    s.on("error", reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(available && existsSync("/bin/sh"))("EMFILE on accept, native transport", () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  afterEach(() => {
    child?.kill("SIGKILL");
    child = undefined;
  });

  it("pauses accepting, logs the burst once with a count, does not spin, and recovers", async () => {
    child = spawn(
      "/bin/sh",
      ["-c", 'ulimit -n 128 && exec "$0" --input-type=module -e "$1"', process.execPath, SERVER],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    const out = new Lines(child.stdout);
    const err = new Lines(child.stderr);
    const exited = new Promise<number | null>((resolve) => child!.on("exit", resolve));
    const port = Number(
      ((await Promise.race([out.next(/port (\d+)\n/), exited])) as RegExpMatchArray)[1],
    );

    child.stdin.write("hoard\n");
    const hoarded = await out.next(/hoarded (\d+) (\w+)\n/);
    expect(hoarded[2]).toBe("EMFILE");

    // Five clients connect (the kernel completes the handshake into the backlog) and write.
    const waiting = Array.from({ length: 5 }, (_, i) => echoOnce(port, `ping ${i}`));
    child.stdin.write("cpu\n");
    const before = Number((await out.next(/cpu (\d+)\n/))[1]);
    await sleep(4 * ACCEPT_PAUSE_MS); // a few pauses and resumes while exhausted
    child.stdin.write("cpu\n");
    const after = Number((await out.next(/cpu (\d+)\n/))[1]);
    // Spinning on the readable listening socket would burn the whole 2 s; paused, it wakes
    // every 500 ms to try once.
    expect(after - before).toBeLessThan(400_000); // microseconds

    const logged = await err.next(
      /Accepting on .* paused (\d+) time\(s\) for 500 ms: out of file descriptors \(EMFILE\)/,
    );
    expect(Number(logged[1])).toBeGreaterThanOrEqual(1);
    expect(err.text).not.toMatch(/dropped: out of file descriptors/);

    // Descriptors come back: the waiting clients are served (none was dropped), and new ones too.
    child.stdin.write("release\n");
    await out.next(/released\n/);
    expect(await Promise.all(waiting)).toEqual([0, 1, 2, 3, 4].map((i) => `ping ${i}`));
    expect(await echoOnce(port, "after")).toBe("after");
  }, 30_000);
});
