import { CannotListenError, Deferred, fail } from "@torsion/core";
import { describe, expect, it } from "vitest";
import { ServiceStartError } from "../errors.ts";
import { Application, MultiService } from "./multi-service.ts";
import { Service } from "./service.ts";

/** A service that records its starts and stops in `log`, optionally failing or waiting. */
class Recorder extends Service {
  constructor(
    readonly label: string,
    readonly log: string[],
    readonly behaviour: {
      failStart?: Error;
      startWith?: Deferred<void>;
      stopWith?: Deferred<void>;
    } = {},
  ) {
    super();
    this.name = label;
  }
  override startService(): Deferred<void> | void {
    super.startService();
    this.log.push(`start ${this.label}`);
    if (this.behaviour.failStart) {
      this.running = false;
      return fail(this.behaviour.failStart);
    }
    return this.behaviour.startWith;
  }
  override stopService(): Deferred<void> | void {
    super.stopService();
    this.log.push(`stop ${this.label}`);
    return this.behaviour.stopWith;
  }
}

describe("MultiService", () => {
  it("starts children in the order added and stops them in reverse", async () => {
    const log: string[] = [];
    const app = new Application("app");
    for (const l of ["a", "b", "c"]) new Recorder(l, log).setServiceParent(app);
    await app.startService();
    expect(app.running).toBe(true);
    await app.stopService();
    expect(log).toEqual(["start a", "start b", "start c", "stop c", "stop b", "stop a"]);
    expect(app.running).toBe(false);
  });

  it("starts the next child only once the previous one's Deferred fired", () => {
    const log: string[] = [];
    const gate = new Deferred<void>();
    const app = new MultiService();
    new Recorder("a", log, { startWith: gate }).setServiceParent(app);
    new Recorder("b", log).setServiceParent(app);
    let started = false;
    app.startService().addCallback(() => {
      started = true;
    });
    expect(log).toEqual(["start a"]);
    expect(started).toBe(false);
    gate.callback(undefined);
    expect(log).toEqual(["start a", "start b"]);
    expect(started).toBe(true);
  });

  it("waits for every child's stop Deferred", () => {
    const log: string[] = [];
    const slow = new Deferred<void>();
    const app = new MultiService();
    new Recorder("a", log, { stopWith: slow }).setServiceParent(app);
    new Recorder("b", log).setServiceParent(app);
    app.startService();
    let stopped = false;
    app.stopService().addCallback(() => {
      stopped = true;
    });
    expect(log).toEqual(["start a", "start b", "stop b", "stop a"]);
    expect(stopped).toBe(false);
    slow.callback(undefined);
    expect(stopped).toBe(true);
  });

  it("stops the children already started when one fails, and names it in the error", async () => {
    const log: string[] = [];
    const app = new Application("app");
    new Recorder("a", log).setServiceParent(app);
    new Recorder("b", log).setServiceParent(app);
    new Recorder("web", log, {
      failStart: new CannotListenError("", 80, "Permission denied"),
    }).setServiceParent(app);
    new Recorder("d", log).setServiceParent(app);
    const error = await app.startService().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServiceStartError);
    expect((error as ServiceStartError).message).toBe(
      "Service web failed to start: Couldn't listen on 80: Permission denied",
    );
    expect((error as ServiceStartError).cause).toBeInstanceOf(CannotListenError);
    expect(log).toEqual(["start a", "start b", "start web", "stop b", "stop a"]);
    expect(app.running).toBe(false);
  });

  it("leaves a child whose start failed not running, even one that does not reset it", async () => {
    class Throws extends Service {
      override startService(): void {
        super.startService();
        throw new Error("no start");
      }
    }
    const log: string[] = [];
    const app = new Application("app");
    new Recorder("first", log).setServiceParent(app);
    const bad = new Throws();
    bad.name = "bad";
    bad.setServiceParent(app);
    await expect(Promise.resolve(app.startService())).rejects.toThrow(
      /bad failed to start: no start/,
    );
    expect(bad.running).toBe(false);
    expect(app.running).toBe(false);
    expect(log).toEqual(["start first", "stop first"]);
  });

  it("names the path to a failing service inside a nested collection", async () => {
    const log: string[] = [];
    const app = new Application("app");
    const group = new MultiService();
    group.setName("echo");
    group.setServiceParent(app);
    new Recorder("tcp:8007", log, { failStart: new Error("boom") }).setServiceParent(group);
    const error = (await app.startService().then(
      () => undefined,
      (e: unknown) => e,
    )) as ServiceStartError;
    expect(error.message).toBe("Service echo › tcp:8007 failed to start: boom");
  });

  it("a child added while running is started, and removing it stops it", () => {
    const log: string[] = [];
    const app = new MultiService();
    app.startService();
    const a = new Recorder("a", log);
    a.setServiceParent(app);
    expect(a.running).toBe(true);
    expect(a.parent).toBe(app);
    expect(app.getServiceNamed("a")).toBe(a);
    a.disownServiceParent();
    expect(log).toEqual(["start a", "stop a"]);
    expect(a.parent).toBe(null);
    expect(() => app.getServiceNamed("a")).toThrow(/No service named "a"/);
  });

  it("refuses two children of the same name", () => {
    const app = new MultiService();
    new Recorder("a", []).setServiceParent(app);
    expect(() => new Recorder("a", []).setServiceParent(app)).toThrow(/already exists/);
    expect([...app].length).toBe(1);
  });

  it("starts no more children once stopped during a start", () => {
    const log: string[] = [];
    const gate = new Deferred<void>();
    const app = new MultiService();
    new Recorder("a", log, { startWith: gate }).setServiceParent(app);
    new Recorder("b", log).setServiceParent(app);
    app.startService();
    app.stopService();
    gate.callback(undefined);
    expect(log).toEqual(["start a", "stop a"]);
  });
});
