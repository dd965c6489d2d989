/**
 * Errors are contained: every @torsion/basic hook may be `async`, and a rejection is handled
 * like a thrown exception (logged with the connection's log prefix, that connection aborted,
 * the others unaffected); a decoder that breaks its contract closes its connection, logged.
 */
import { connect, type Socket } from "node:net";
import type { Failure, LogEvent } from "@torsion/core";
import { Factory, globalLogPublisher } from "@torsion/core";
import { StringTransport } from "@torsion/core/testing";
import { useLoopback } from "@torsion/test-utils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type Accumulator,
  type Decoder,
  DecoderContractError,
  encodeIntPrefixed,
  encodeNetstring,
  FramedProtocol,
  Int16StringReceiver,
  LineOnlyReceiver,
  LineReceiver,
  NetstringReceiver,
} from "../src/index.ts";

let logged: LogEvent[] = [];
const observer = (e: LogEvent): void => {
  logged.push(e);
};
beforeEach(() => {
  logged = [];
  globalLogPublisher.addObserver(observer);
});
afterEach(() => {
  globalLogPublisher.removeObserver(observer);
});

/** The events logged for a contained rejection. */
const rejections = () => logged.filter((e) => e.log_namespace === "torsion.basic");

/** Let the microtasks (the rejection handlers) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const { listenTCP } = useLoopback();

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port }, () => resolve(s));
    s.once("error", reject);
  });
}

/** Resolves with everything `s` received once it closed (errors such as a reset count as closed). */
function closed(s: Socket): Promise<string> {
  let got = "";
  s.on("data", (d: Buffer) => {
    got += d.toString();
  });
  s.on("error", () => {});
  return new Promise((resolve) => s.once("close", () => resolve(got)));
}

describe("async hooks over loopback", () => {
  it("a rejected lineReceived aborts its connection only, logged with its log prefix", async () => {
    class Moody extends LineReceiver {
      override async lineReceived(line: Buffer): Promise<void> {
        await Promise.resolve();
        if (line.toString() === "boom") throw new Error("moody refuses");
        this.sendLine(`ok ${line}`);
      }
    }
    const port = await listenTCP(Factory.forProtocol(Moody));
    const bad = await dial(port);
    const good = await dial(port);
    const goodReplies: string[] = [];
    good.on("data", (d: Buffer) => goodReplies.push(d.toString()));
    const badClosed = closed(bad);
    bad.write("boom\r\n");
    await badClosed;
    good.write("still\r\n");
    while (goodReplies.join("") !== "ok still\r\n") await settle();
    expect(good.destroyed).toBe(false);
    good.end();
    const events = rejections();
    expect(events).toHaveLength(1);
    expect(events[0]?.callback).toBe("lineReceived");
    expect(String(events[0]?.log_system)).toMatch(/^Moody,\d+,127\.0\.0\.1$/);
    expect((events[0]?.log_failure as Failure | undefined)?.getErrorMessage()).toBe(
      "moody refuses",
    );
  });
});

describe("every hook's rejection is contained (StringTransport)", () => {
  function run<
    P extends { makeConnection(t: StringTransport): void; dataReceived(d: Buffer): void },
  >(p: P, input: Buffer | string): Promise<StringTransport> {
    const t = new StringTransport();
    p.makeConnection(t);
    p.dataReceived(Buffer.from(input));
    return settle().then(() => t);
  }
  const fail = async (): Promise<void> => {
    throw new Error("hook failed");
  };

  const cases: Array<
    [
      string,
      () => { makeConnection(t: StringTransport): void; dataReceived(d: Buffer): void },
      Buffer | string,
    ]
  > = [
    [
      "LineReceiver.lineReceived",
      () => Object.assign(new (class extends LineReceiver {})(), { lineReceived: fail }),
      "x\r\n",
    ],
    [
      "LineReceiver.rawDataReceived",
      () =>
        Object.assign(
          new (class extends LineReceiver {
            override lineReceived(): void {
              this.setRawMode();
            }
          })(),
          { rawDataReceived: fail },
        ),
      "x\r\nraw",
    ],
    [
      "LineReceiver.lineLengthExceeded",
      () =>
        Object.assign(new (class extends LineReceiver {})(), {
          MAX_LENGTH: 2,
          lineLengthExceeded: fail,
        }),
      "toolong\r\n",
    ],
    [
      "LineOnlyReceiver.lineReceived",
      () => Object.assign(new (class extends LineOnlyReceiver {})(), { lineReceived: fail }),
      "x\r\n",
    ],
    [
      "LineOnlyReceiver.lineLengthExceeded",
      () =>
        Object.assign(new (class extends LineOnlyReceiver {})(), {
          MAX_LENGTH: 2,
          lineLengthExceeded: fail,
        }),
      "toolong\r\n",
    ],
    [
      "NetstringReceiver.stringReceived",
      () => Object.assign(new (class extends NetstringReceiver {})(), { stringReceived: fail }),
      encodeNetstring("x"),
    ],
    [
      "Int16StringReceiver.stringReceived",
      () => Object.assign(new (class extends Int16StringReceiver {})(), { stringReceived: fail }),
      encodeIntPrefixed("x", 2),
    ],
    [
      "Int16StringReceiver.lengthLimitExceeded",
      () =>
        Object.assign(new (class extends Int16StringReceiver {})(), {
          MAX_LENGTH: 2,
          lengthLimitExceeded: fail,
        }),
      encodeIntPrefixed("toolong", 2),
    ],
  ];
  for (const [name, make, input] of cases) {
    it(`${name}: logged and the connection aborted`, async () => {
      const t = await run(make(), input);
      expect(t.aborted).toBe(true);
      const events = rejections();
      expect(events).toHaveLength(1);
      expect(events[0]?.callback).toBe(name.split(".")[1]);
      expect((events[0]?.log_failure as Failure | undefined)?.getErrorMessage()).toBe(
        "hook failed",
      );
    });
  }

  it("a hook that resolves leaves the connection alone", async () => {
    class Fine extends LineReceiver {
      override async lineReceived(): Promise<void> {}
    }
    const t = await run(new Fine(), "a\r\nb\r\n");
    expect(t.aborted).toBe(false);
    expect(t.disconnecting).toBe(false);
    expect(rejections()).toEqual([]);
  });
});

describe("the decoder contract over loopback", () => {
  it("a decoder that returns a frame without consuming closes that connection, logged, no loop", async () => {
    class Stuck extends FramedProtocol<Buffer> {
      frames = 0;
      protected override currentDecoder(): Decoder<Buffer> {
        return {
          decode: (input: Accumulator) => (input.length > 0 ? input.peek(1) : undefined),
        };
      }
      protected override frameReceived(): void {
        this.frames++;
      }
    }
    const built: Stuck[] = [];
    const factory = Factory.forProtocol(Stuck);
    const build = factory.buildProtocol.bind(factory);
    factory.buildProtocol = (addr) => {
      const p = build(addr) as Stuck;
      built.push(p);
      return p;
    };
    const port = await listenTCP(factory);
    const s = await dial(port);
    const done = closed(s);
    s.write("abc");
    await done;
    expect(built[0]?.frames).toBe(0);
    const event = logged.find(
      (e) => (e.log_failure as Failure | undefined)?.value instanceof DecoderContractError,
    );
    expect(event).toBeDefined();
    expect(String(event?.log_system)).toMatch(/^Stuck,\d+,127\.0\.0\.1$/);
  });
});
