import { execFileSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConnectionDone,
  ConnectionLost,
  type Failure,
  type IPullProducer,
  type IPushProducer,
  type LogEvent,
} from "@torsion/core";
import { globalLogPublisher } from "@torsion/core/logger";
import { afterAll, describe, expect, it } from "vitest";
import {
  ProcessDone,
  ProcessExitedAlready,
  ProcessSpawnError,
  ProcessTerminated,
  spawnProcess,
} from "../src/index.ts";
import { expectTwistedOrder, Recorder } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "torsion-process-"));

/** Run `body`, and return the message of the failure it caused to be logged under `torsion.process`. */
async function processFailureLogged(body: () => Promise<void>): Promise<string | undefined> {
  const seen: LogEvent[] = [];
  const observer = (e: LogEvent): void => {
    seen.push(e);
  };
  globalLogPublisher.addObserver(observer);
  try {
    await body();
  } finally {
    globalLogPublisher.removeObserver(observer);
  }
  const logged = seen.find((e) => e.log_namespace === "torsion.process");
  return (logged?.log_failure as Failure | undefined)?.getErrorMessage();
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("spawnProcess: order of calls and reasons", () => {
  it("cat: echoes stdin, then every pipe is lost, processExited, and processEnded last with ProcessDone", async () => {
    const p = new Recorder();
    const t = spawnProcess(p, "cat");
    expect(p.events).toEqual(["connectionMade"]);
    expect(typeof t.pid).toBe("number");
    t.write("hello ");
    t.writeSequence(["wor", Buffer.from("ld")]);
    t.closeStdin();
    const reason = await p.ended;
    expect(p.text(1)).toBe("hello world");
    expectTwistedOrder(p.events, [0, 1, 2]);
    expect(reason.check(ProcessDone)).toBe(ProcessDone);
    expect(reason.check(ConnectionDone)).toBe(ConnectionDone);
    expect((reason.value as ProcessDone).exitCode).toBe(0);
    expect(p.exitedReason?.value).toBe(reason.value);
    expect(t.pid).toBeNull();
  });

  it("sh -c 'exit 3': ProcessTerminated with exitCode 3 and no signal", async () => {
    const p = new Recorder();
    spawnProcess(p, "sh", ["-c", "echo out; echo err >&2; exit 3"]);
    const reason = await p.ended;
    expectTwistedOrder(p.events, [0, 1, 2]);
    expect(p.text(1)).toBe("out\n");
    expect(p.text(2)).toBe("err\n");
    expect(reason.check(ProcessTerminated)).toBe(ProcessTerminated);
    expect(reason.check(ConnectionLost)).toBe(ConnectionLost);
    const value = reason.value as ProcessTerminated;
    expect(value.exitCode).toBe(3);
    expect(value.signal).toBeNull();
    expect(value.signalName).toBeNull();
    expect(reason.getErrorMessage()).toContain("exit code 3");
  });

  it("a process killed by a signal: ProcessTerminated with the signal and a null exitCode", async () => {
    const p = new Recorder();
    const t = spawnProcess(p, "sleep", ["60"]);
    t.signalProcess("TERM");
    const reason = await p.ended;
    expectTwistedOrder(p.events, [0, 1, 2]);
    const value = reason.value as ProcessTerminated;
    expect(value).toBeInstanceOf(ProcessTerminated);
    expect(value.signal).toBe(15); // the number, as Twisted's ProcessTerminated.signal
    expect(value.signalName).toBe("SIGTERM");
    expect(value.exitCode).toBeNull();
    expect(() => t.signalProcess("KILL")).toThrow(ProcessExitedAlready);
  });

  it("accepts Twisted's, Node's and numeric signal names and refuses unknown ones", async () => {
    for (const sig of ["KILL", "SIGKILL", 9] as const) {
      const p = new Recorder();
      const t = spawnProcess(p, "sleep", ["60"]);
      expect(() => t.signalProcess("NOPE")).toThrow(TypeError);
      t.signalProcess(sig);
      const ended = (await p.ended).value as ProcessTerminated;
      expect(ended.signal).toBe(9);
      expect(ended.signalName).toBe("SIGKILL");
    }
  });

  it("processExited comes when the process exits; processEnded waits for a pipe a grandchild keeps open", async () => {
    const fifo = join(dir, "grandchild.fifo");
    execFileSync("mkfifo", [fifo]);
    const p = new Recorder();
    // The shell exits at once; its background child keeps stdout open until the fifo gets a line.
    spawnProcess(p, "sh", ["-c", 'cat "$1" & exit 0', "sh", fifo]);
    await p.exited;
    expect(p.exitedReason?.check(ProcessDone)).toBe(ProcessDone);
    expect(p.events).not.toContain("lost 1");
    expect(p.events).not.toContain("processEnded");
    writeFileSync(fifo, "late\n"); // opens once the grandchild has it open for reading
    const reason = await p.ended;
    expect(reason.check(ProcessDone)).toBe(ProcessDone);
    expect(p.text(1)).toBe("late\n");
    expectTwistedOrder(p.events, [0, 1, 2]);
    expect(p.events.indexOf("processExited")).toBeLessThan(p.events.indexOf("lost 1"));
  });
});

describe("spawnProcess: descriptors, environment, directory", () => {
  it("extra pipes: 'r' on 3 delivers childDataReceived(3), 'w' on 4 takes writeToChild(4)", async () => {
    const p = new Recorder();
    const t = spawnProcess(p, "sh", ["-c", "echo to-three >&3; exec 3>&-; cat <&4"], {
      childFDs: { 0: "w", 1: "r", 2: "r", 3: "r", 4: "w" },
    });
    t.writeToChild(4, "via four\n");
    t.closeChildFD(4);
    t.closeStdin();
    await p.ended;
    expect(p.text(3)).toBe("to-three\n");
    expect(p.text(1)).toBe("via four\n");
    expectTwistedOrder(p.events, [0, 1, 2, 3, 4]);
    expect(() => t.writeToChild(4, "x")).not.toThrow(); // a closed "w" pipe: ignored
    expect(() => t.writeToChild(3, "x")).toThrow(TypeError); // never a "w" pipe
  });

  it("refuses writes to a descriptor that is not a 'w' pipe", () => {
    const p = new Recorder();
    const t = spawnProcess(p, "cat");
    expect(() => t.writeToChild(1, "x")).toThrow(TypeError);
    expect(() => t.writeToChild(7, "x")).toThrow(TypeError);
    t.loseConnection();
    return p.ended;
  });

  it("hands an inherited descriptor number to the child as it is", async () => {
    const path = join(dir, "inherited.txt");
    const fd = openSync(path, "w");
    try {
      const p = new Recorder();
      spawnProcess(p, "sh", ["-c", "echo inherited >&3"], {
        childFDs: { 0: "w", 1: "r", 2: "r", 3: fd },
      });
      await p.ended;
      expectTwistedOrder(p.events, [0, 1, 2]);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(path, "utf8")).toBe("inherited\n");
  });

  it("connects unmentioned descriptors 0-2 to /dev/null", async () => {
    const p = new Recorder();
    spawnProcess(p, "sh", ["-c", "echo lost; echo kept >&3"], { childFDs: { 3: "r" } });
    await p.ended;
    expect(p.text(3)).toBe("kept\n");
    expectTwistedOrder(p.events, [3]);
  });

  it("the child inherits this process's environment unless env is given", async () => {
    process.env.TORSION_PROCESS_TEST = "inherited";
    try {
      const a = new Recorder();
      spawnProcess(a, "/bin/sh", ["-c", 'echo "$TORSION_PROCESS_TEST"']);
      await a.ended;
      expect(a.text(1)).toBe("inherited\n");
      const b = new Recorder();
      spawnProcess(b, "/bin/sh", ["-c", 'echo "$FOO:$TORSION_PROCESS_TEST"'], {
        env: { FOO: "bar" },
      });
      await b.ended;
      expect(b.text(1)).toBe("bar:\n");
    } finally {
      delete process.env.TORSION_PROCESS_TEST;
    }
  });

  it("runs in the given path", async () => {
    const p = new Recorder();
    spawnProcess(p, "pwd", [], { path: dir });
    await p.ended;
    expect(realpathSync(p.text(1).trim())).toBe(realpathSync(dir));
  });

  it("passes arguments without a shell", async () => {
    const p = new Recorder();
    spawnProcess(p, "printf", ["%s|", "a b", "$HOME", "*"]);
    await p.ended;
    expect(p.text(1)).toBe("a b|$HOME|*|");
  });
});

describe("spawnProcess: a command that cannot start", () => {
  async function failedStart(executable: string, options = {}): Promise<[Recorder, Failure]> {
    const p = new Recorder();
    const t = spawnProcess(p, executable, [], options);
    expect(t.pid).toBeNull();
    expect(() => t.write("nobody reads this")).not.toThrow();
    expect(() => t.signalProcess("TERM")).toThrow(ProcessExitedAlready);
    const reason = await p.ended;
    expectTwistedOrder(p.events, [0, 1, 2]);
    return [p, reason];
  }

  it("a missing executable ends with ProcessSpawnError, exit code 127, and Node's ENOENT as cause", async () => {
    const [, reason] = await failedStart("/nonexistent/torsion-no-such-command");
    const err = reason.value as ProcessSpawnError;
    expect(err).toBeInstanceOf(ProcessSpawnError);
    expect(err).toBeInstanceOf(ProcessTerminated);
    expect(err.exitCode).toBe(127);
    expect((err.cause as NodeJS.ErrnoException).code).toBe("ENOENT");
    expect(reason.getErrorMessage()).toContain("/nonexistent/torsion-no-such-command");
    expect(reason.getErrorMessage()).toContain("ENOENT");
  });

  it("a missing command on PATH fails the same way", async () => {
    const [, reason] = await failedStart("torsion-no-such-command-on-path");
    expect((reason.value as ProcessSpawnError).exitCode).toBe(127);
  });

  it("a file that is not executable ends with exit code 126 (EACCES)", async () => {
    const path = join(dir, "not-executable.sh");
    writeFileSync(path, "#!/bin/sh\necho hi\n");
    chmodSync(path, 0o644);
    const [, reason] = await failedStart(path);
    expect((reason.value as ProcessSpawnError).exitCode).toBe(126);
    expect(reason.getErrorMessage()).toContain("EACCES");
  });

  it("a missing working directory fails the start too", async () => {
    const [, reason] = await failedStart("cat", { path: join(dir, "no-such-dir") });
    expect(reason.check(ProcessSpawnError)).toBe(ProcessSpawnError);
  });

  it("arguments of the wrong type throw a TypeError at once", () => {
    expect(() => spawnProcess(new Recorder(), "")).toThrow(TypeError);
    expect(() => spawnProcess(new Recorder(), "cat", [1 as unknown as string])).toThrow(TypeError);
    expect(() => spawnProcess(new Recorder(), "cat", [], { childFDs: { 0: "x" as "r" } })).toThrow(
      TypeError,
    );
  });
});

describe("spawnProcess: closing and errors", () => {
  it("loseConnection closes every pipe; cat sees end-of-file and exits", async () => {
    const p = new Recorder();
    const t = spawnProcess(p, "cat");
    t.loseConnection();
    const reason = await p.ended;
    expectTwistedOrder(p.events, [0, 1, 2]);
    expect(reason.check(ProcessDone)).toBe(ProcessDone);
  });

  it("an exception in outReceived is logged and closes the pipes; processEnded still comes", async () => {
    const logged = await processFailureLogged(async () => {
      class Throws extends Recorder {
        override outReceived(): void {
          throw new Error("bug in outReceived");
        }
      }
      const p = new Throws();
      spawnProcess(p, "sh", ["-c", "echo one; read x; echo two"]);
      await p.ended;
      expectTwistedOrder(p.events, [0, 1, 2]);
    });
    expect(logged).toBe("bug in outReceived");
  });

  it("an exception in connectionMade is logged and closes the pipes; spawnProcess still returns", async () => {
    const logged = await processFailureLogged(async () => {
      class Throws extends Recorder {
        override connectionMade(): void {
          super.connectionMade();
          throw new Error("bug in connectionMade");
        }
      }
      const p = new Throws();
      // cat exits once its stdin is closed: the pipes were closed for it.
      expect(() => spawnProcess(p, "cat")).not.toThrow();
      const reason = await p.ended;
      expect(reason.check(ProcessDone)).toBe(ProcessDone);
      expectTwistedOrder(p.events, [0, 1, 2]);
    });
    expect(logged).toBe("bug in connectionMade");
  });

  it("pauseProducing holds the child's output back until resumeProducing", async () => {
    const p = new Recorder();
    const t = spawnProcess(p, "sh", ["-c", "echo held"]);
    t.pauseProducing();
    await p.exited;
    expect(p.text(1)).toBe("");
    t.resumeProducing();
    await p.ended;
    expect(p.text(1)).toBe("held\n");
    expectTwistedOrder(p.events, [0, 1, 2]);
  });
});

describe("spawnProcess: stdin flow control", () => {
  const CHUNK = Buffer.alloc(64 * 1024, "x");
  const TOTAL = 64 * CHUNK.length; // 4 MiB: far more than a pipe holds

  it("pauses a push producer while a slow child is not reading, resumes it as it reads", async () => {
    const p = new Recorder();
    // The child reads nothing for a while, then counts what it gets.
    const t = spawnProcess(p, "sh", ["-c", "sleep 0.3; exec wc -c"]);
    let sent = 0;
    let paused = false;
    let pauses = 0;
    let resumes = 0;
    const producer: IPushProducer = {
      pauseProducing() {
        paused = true;
        pauses++;
      },
      resumeProducing() {
        paused = false;
        resumes++;
        pump();
      },
      stopProducing() {},
    };
    function pump(): void {
      while (!paused && sent < TOTAL) {
        sent += CHUNK.length;
        t.write(CHUNK);
      }
      if (sent >= TOTAL && !paused) {
        t.unregisterProducer();
        t.closeStdin();
      }
    }
    t.registerProducer(producer, true);
    pump();
    expect(pauses).toBe(1); // stopped long before 4 MiB were buffered
    expect(sent).toBeLessThan(TOTAL);
    await p.ended;
    expect(resumes).toBeGreaterThanOrEqual(1);
    expect(Number(p.text(1).trim())).toBe(TOTAL);
  });

  it("asks a pull producer for one chunk at a time until it unregisters", async () => {
    const p = new Recorder();
    const t = spawnProcess(p, "wc", ["-c"]);
    let sent = 0;
    const producer: IPullProducer = {
      resumeProducing() {
        if (sent < TOTAL) {
          sent += CHUNK.length;
          t.write(CHUNK);
        } else {
          t.unregisterProducer();
          t.closeStdin();
        }
      },
      stopProducing() {},
    };
    t.registerProducer(producer, false);
    await p.ended;
    expect(Number(p.text(1).trim())).toBe(TOTAL);
  });

  it("refuses a second producer, stops one registered after stdin closed, and stops the producer when stdin closes", async () => {
    const p = new Recorder();
    const t = spawnProcess(p, "cat");
    const stopped: string[] = [];
    const make = (name: string): IPushProducer => ({
      pauseProducing() {},
      resumeProducing() {},
      stopProducing() {
        stopped.push(name);
      },
    });
    t.registerProducer(make("first"), true);
    expect(() => t.registerProducer(make("second"), true)).toThrow(/already registered/);
    t.closeStdin();
    await p.ended;
    expect(stopped).toEqual(["first"]);
    t.registerProducer(make("late"), true);
    expect(stopped).toEqual(["first", "late"]);
  });
});

describe("async ProcessProtocol callbacks", () => {
  it("a rejected async outReceived is logged and closes that child's pipes only", async () => {
    class AsyncBoom extends Recorder {
      override outReceived(_data: Buffer): Promise<void> {
        return Promise.reject(new Error("async out failed"));
      }
    }
    const bad = new AsyncBoom();
    const good = new Recorder();
    let goodT: ReturnType<typeof spawnProcess> | undefined;
    const message = await processFailureLogged(async () => {
      const t = spawnProcess(bad, "sh", ["-c", "echo hi; sleep 5"]);
      goodT = spawnProcess(good, "cat");
      goodT.write("still served");
      await bad.ended; // the pipes were closed: the child's sleep no longer holds processEnded
      expect(t.pid).toBeNull();
    });
    expect(message).toBe("async out failed");
    goodT?.closeStdin();
    await good.ended;
    expect(good.text(1)).toBe("still served");
  }, 30_000);

  it("a rejected async processEnded is logged, not left unhandled", async () => {
    class AsyncEnd extends Recorder {
      override processEnded(reason: Failure): Promise<void> {
        super.processEnded(reason);
        return Promise.reject(new Error("async end failed"));
      }
    }
    const p = new AsyncEnd();
    const message = await processFailureLogged(async () => {
      spawnProcess(p, "true");
      await p.ended;
      await new Promise((r) => setTimeout(r, 20));
    });
    expect(message).toBe("async end failed");
  });

  it("a rejected async connectionMade closes the pipes; processEnded still comes", async () => {
    class AsyncStart extends Recorder {
      override connectionMade(): Promise<void> {
        super.connectionMade();
        return Promise.reject(new Error("async start failed"));
      }
    }
    const p = new AsyncStart();
    const message = await processFailureLogged(async () => {
      spawnProcess(p, "cat");
      await p.ended; // cat exits once its stdin is closed
    });
    expect(message).toBe("async start failed");
  });
});
