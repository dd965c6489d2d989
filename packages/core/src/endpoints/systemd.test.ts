import { afterEach, describe, expect, it, vi } from "vitest";
import { succeed } from "../deferred/helpers.ts";
import { AlreadyListened, EndpointDescriptionError } from "../errors.ts";
import type { Failure } from "../failure.ts";
import type { IListeningPort } from "../interfaces.ts";
import { Factory } from "../protocol/factory.ts";
import { MemoryPort, MemoryReactor } from "../testing/memory-reactor.ts";
import { UNIXAddress } from "../transport/address.ts";
import { serverFromString } from "./parse.ts";
import { AdoptedStreamServerEndpoint, ListenFDs } from "./systemd.ts";

const pid = 4242;

describe("ListenFDs.fromEnvironment", () => {
  it("numbers LISTEN_FDS descriptors from 3, named by LISTEN_FDNAMES", () => {
    const fds = ListenFDs.fromEnvironment(
      { LISTEN_PID: "4242", LISTEN_FDS: "3", LISTEN_FDNAMES: "a:web:c" },
      pid,
    );
    expect(fds.descriptors).toEqual([3, 4, 5]);
    expect(fds.byIndex(2)).toBe(5);
    expect(fds.byName("web")).toBe(4);
  });

  it("has no descriptors without LISTEN_FDS; names are optional", () => {
    expect(ListenFDs.fromEnvironment({}, pid).descriptors).toEqual([]);
    expect(ListenFDs.fromEnvironment({ LISTEN_PID: "4242", LISTEN_FDS: "1" }, pid).byIndex(0)).toBe(
      3,
    );
  });

  it.each([
    [
      { LISTEN_PID: "1", LISTEN_FDS: "1" },
      "LISTEN_PID is '1', not this process (4242): the descriptors are not ours",
    ],
    [{ LISTEN_FDS: "1" }, "LISTEN_PID is '', not this process (4242)"],
    [{ LISTEN_PID: "4242", LISTEN_FDS: "two" }, "LISTEN_FDS is 'two', not a number of descriptors"],
    [
      { LISTEN_PID: "4242", LISTEN_FDS: "2", LISTEN_FDNAMES: "a" },
      "LISTEN_FDNAMES names 1 descriptors but LISTEN_FDS is 2",
    ],
  ])("rejects inconsistent variables %j", (env, message) => {
    expect(() => ListenFDs.fromEnvironment(env, pid)).toThrow(message);
  });

  it("says which index or name is missing", () => {
    const fds = new ListenFDs([3], ["web"]);
    expect(() => fds.byIndex(1)).toThrow("No inherited descriptor at index 1 (LISTEN_FDS is 1)");
    expect(() => fds.byName("db")).toThrow(
      "No inherited descriptor named 'db' (LISTEN_FDNAMES is 'web')",
    );
  });
});

describe("systemd: descriptions", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  function stub(fds: string, names?: string): void {
    vi.stubEnv("LISTEN_PID", String(process.pid));
    vi.stubEnv("LISTEN_FDS", fds);
    if (names !== undefined) vi.stubEnv("LISTEN_FDNAMES", names);
  }

  it.each([
    ["systemd:domain=INET:index=1", 4, "INET"],
    ["systemd:domain=INET6:index=0", 3, "INET6"],
    ["systemd:domain=UNIX:name=foo", 5, "UNIX"],
    ["systemd:INET:2", 5, "INET"],
  ])("%s adopts the right descriptor", (description, fd, family) => {
    stub("5", "5.socket:6.socket:foo:8.socket:9.socket");
    const reactor = new MemoryReactor();
    const ep = serverFromString(reactor, description) as AdoptedStreamServerEndpoint;
    expect(ep).toBeInstanceOf(AdoptedStreamServerEndpoint);
    expect([ep.reactor, ep.fileno, ep.addressFamily]).toEqual([reactor, fd, family]);
  });

  it.each([
    ["systemd:domain=INET", "Specify exactly one of descriptor index or name"],
    ["systemd:domain=INET:index=0:name=foo", "Specify exactly one of descriptor index or name"],
    [
      "systemd:domain=APPLETALK:index=0",
      "Unknown domain 'APPLETALK' (expected INET, INET6 or UNIX)",
    ],
    ["systemd:index=0", "Missing domain"],
    ["systemd:domain=INET:index=-1", "Invalid index '-1'"],
    ["systemd:domain=INET:index=9", "No inherited descriptor at index 9 (LISTEN_FDS is 2)"],
  ])("%s fails with a message naming it", (description, message) => {
    stub("2");
    expect(() => serverFromString(new MemoryReactor(), description)).toThrow(
      EndpointDescriptionError,
    );
    expect(() => serverFromString(new MemoryReactor(), description)).toThrow(`${message}`);
  });
});

describe("AdoptedStreamServerEndpoint", () => {
  it("listens through the reactor's adoptStreamPort, once only", () => {
    const port = new MemoryPort(new UNIXAddress("/run/x"));
    const adoptStreamPort = vi.fn(() => succeed<IListeningPort>(port));
    const ep = new AdoptedStreamServerEndpoint({ adoptStreamPort }, 3, "UNIX");
    const f = new Factory();
    const results: unknown[] = [];
    ep.listen(f).addCallback((p) => results.push(p));
    ep.listen(f).addErrback((e: Failure) => results.push(e.value));
    expect(adoptStreamPort).toHaveBeenCalledExactlyOnceWith(3, "UNIX", f);
    expect(results[0]).toBe(port);
    expect(results[1]).toBeInstanceOf(AlreadyListened);
  });

  it("fails (does not throw) when the reactor can host no port", () => {
    const errors: unknown[] = [];
    new AdoptedStreamServerEndpoint({}, 3, "INET")
      .listen(new Factory())
      .addErrback((e: Failure) => errors.push(e.value));
    expect(errors[0]).toBeInstanceOf(TypeError);
    expect((errors[0] as Error).message).toContain("adoptStreamPort");
  });
});
