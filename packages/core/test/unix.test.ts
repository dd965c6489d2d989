/**
 * UNIX-domain stream sockets, in a temporary directory.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  CannotListenError,
  ConnectError,
  ConnectionDone,
  ConnectionRefusedError,
  createReactor,
  Factory,
  UNIXAddress,
} from "../src/index.ts";
import { Echo, OneShotFactory, Recorder, RememberingFactory } from "./helpers.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torsion-unix-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const socketPath = (): string => path.join(dir, `s${n++}.sock`);

describe("UNIX sockets", () => {
  it("echoes, reports UNIXAddress ends, sets the file mode and removes the file on stop", async () => {
    const reactor = createReactor();
    const where = socketPath();
    const servers = new RememberingFactory(() => new Echo());
    const port = await reactor.listenUNIX(where, servers, { mode: 0o600 });
    expect(port.getHost()).toEqual(new UNIXAddress(where));
    expect(fs.statSync(where).mode & 0o777).toBe(0o600);

    const client = new Recorder();
    const factory = new OneShotFactory(client);
    const connector = reactor.connectUNIX(where, factory);
    expect(connector.getDestination()).toEqual(new UNIXAddress(where));
    await client.made;
    expect(client.transport.getPeer()).toEqual(new UNIXAddress(where));
    const server = servers.built[0]!;
    expect(server.transport.getHost()).toEqual(new UNIXAddress(where));
    client.transport.write("over a file");
    await client.receivedAtLeast(11);
    expect(client.received.toString()).toBe("over a file");
    client.tcp.abortConnection(); // no RST on UNIX sockets: a plain close
    await client.lost;

    await port.stopListening();
    expect(fs.existsSync(where)).toBe(false);
  });

  it("defaults to mode 0666 and refuses a path in use with CannotListenError", async () => {
    const reactor = createReactor();
    const where = socketPath();
    await using port = await reactor.listenUNIX(where, Factory.forProtocol(Echo));
    expect(fs.statSync(where).mode & 0o777).toBe(0o666); // chmod: the umask does not apply
    const err = await reactor.listenUNIX(where, Factory.forProtocol(Echo)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CannotListenError);
    expect((err as Error).message).toBe(`Couldn't listen on ${where}: Address already in use`);
    expect(port.getHost()).toEqual(new UNIXAddress(where));
  });

  it("the mode is never applied to a symbolic link swapped in at the path while listening starts", async () => {
    const reactor = createReactor();
    const where = socketPath();
    const target = path.join(dir, `target${n++}`);
    fs.writeFileSync(target, "not yours");
    fs.chmodSync(target, 0o600);
    const listening = reactor.listenUNIX(where, Factory.forProtocol(Echo), { mode: 0o666 });
    // An attacker's swap, between the bind (done synchronously by listen) and the callback
    // that sets the mode: replace whatever is at the path by a link to another file.
    fs.rmSync(where, { force: true });
    fs.symlinkSync(target, where);
    const outcome = await listening.then(
      (p) => p,
      (e: unknown) => e,
    );
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    expect(outcome).toBeInstanceOf(CannotListenError);
    expect((outcome as Error).message).toBe(`Couldn't listen on ${where}: Address already in use`);
    expect(fs.lstatSync(where).isSymbolicLink()).toBe(true);
    // No staging directory is left behind.
    expect(fs.readdirSync(dir).filter((f) => f.startsWith(".torsion-"))).toEqual([]);
  });

  it("wantPID: a live lock holder refuses; a dead one's stale lock and socket file are replaced", async () => {
    const reactor = createReactor();
    const where = socketPath();
    // A lock held by this (live) process.
    fs.symlinkSync(String(process.pid), `${where}.lock`);
    const err = await reactor.listenUNIX(where, Factory.forProtocol(Echo), { wantPID: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CannotListenError);
    expect((err as Error).message).toContain("Cannot acquire lock");
    fs.unlinkSync(`${where}.lock`);

    // A crashed server: its socket file and a lock naming a process that has exited.
    const dead = spawnSync(process.execPath, [
      "-e",
      "process.stdout.write(String(process.pid))",
    ]).stdout.toString();
    const crashed = await reactor.listenUNIX(where, Factory.forProtocol(Echo));
    // Simulate the crash: the file stays behind (close the fd without unlinking).
    fs.renameSync(where, `${where}.keep`);
    await crashed.stopListening();
    fs.renameSync(`${where}.keep`, where);
    fs.symlinkSync(dead, `${where}.lock`);
    expect(fs.existsSync(where)).toBe(true);

    const port = await reactor.listenUNIX(where, Factory.forProtocol(Echo), { wantPID: true });
    expect(fs.readlinkSync(`${where}.lock`)).toBe(String(process.pid));
    const client = new Recorder();
    const connector = reactor.connectUNIX(where, new OneShotFactory(client), { checkPID: true });
    await client.made;
    connector.disconnect();
    expect((await client.lost).check(ConnectionDone)).toBe(ConnectionDone);
    await port.stopListening();
    expect(fs.existsSync(`${where}.lock`)).toBe(false);
    expect(() =>
      reactor.connectUNIX(where, new OneShotFactory(new Recorder()), { checkPID: true }),
    ).toThrow(ConnectError);
  });

  it("connecting to a socket file nobody listens on fails the attempt", async () => {
    const reactor = createReactor();
    const factory = new OneShotFactory(new Recorder());
    reactor.connectUNIX(path.join(dir, "nobody-here.sock"), factory);
    const reason = await factory.failed.promise;
    expect(reason.check(ConnectError)).toBe(ConnectError);
    expect(((reason.value as Error).cause as NodeJS.ErrnoException).code).toBe("ENOENT");

    // A stale socket file (no listener): connection refused.
    const where = socketPath();
    const port = await reactor.listenUNIX(where, Factory.forProtocol(Echo));
    fs.renameSync(where, `${where}.keep`);
    await port.stopListening();
    fs.renameSync(`${where}.keep`, where);
    const f2 = new OneShotFactory(new Recorder());
    reactor.connectUNIX(where, f2);
    expect((await f2.failed.promise).check(ConnectionRefusedError)).toBe(ConnectionRefusedError);
  });
});
