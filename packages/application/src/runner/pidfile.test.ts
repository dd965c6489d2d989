import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlreadyRunningError, InvalidPIDFileError } from "../errors.ts";
import { isAlive, PIDFile } from "./pidfile.ts";
import { StartupError } from "./startup-error.ts";

let dir: string;
let n = 0;
const path = () => join(dir, `p${n++}.pid`);
/** A pid no process has: beyond the kernel's default pid_max. */
const DEAD = 4194304;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "torsion-pidfile-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("PIDFile", () => {
  it("claims a missing file with this pid and removes it on release", () => {
    const p = path();
    const f = new PIDFile(p);
    expect(f.read()).toBe(undefined);
    f.claim();
    expect(readFileSync(p, "utf8")).toBe(`${process.pid}\n`);
    expect(f.read()).toBe(process.pid);
    f.release();
    expect(existsSync(p)).toBe(false);
    f.release(); // twice is harmless
  });

  it("refuses when the file names a live process, and leaves the file alone", () => {
    const p = path();
    writeFileSync(p, `${process.ppid}\n`);
    const f = new PIDFile(p);
    expect(() => f.claim()).toThrow(AlreadyRunningError);
    f.release();
    expect(readFileSync(p, "utf8")).toBe(`${process.ppid}\n`);
  });

  it("replaces a stale file whose process is gone", () => {
    const p = path();
    writeFileSync(p, `${DEAD}\n`);
    expect(isAlive(DEAD)).toBe(false);
    const f = new PIDFile(p);
    f.claim();
    expect(readFileSync(p, "utf8")).toBe(`${process.pid}\n`);
    expect(existsSync(`${p}.lock`)).toBe(false);
    f.release();
    // No temporary file is left beside it.
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("re-claims a file holding its own pid", () => {
    const p = path();
    writeFileSync(p, `${process.pid}\n`);
    new PIDFile(p).claim();
    expect(readFileSync(p, "utf8")).toBe(`${process.pid}\n`);
  });

  it("treats a file left empty (its claimer died before writing) as stale, after a wait", () => {
    const p = path();
    writeFileSync(p, "");
    const old = new Date(Date.now() - 60_000);
    utimesSync(p, old, old);
    new PIDFile(p).claim();
    expect(readFileSync(p, "utf8")).toBe(`${process.pid}\n`);
  });

  it("refuses a file that holds something other than a pid", () => {
    const p = path();
    writeFileSync(p, "hello\n");
    expect(() => new PIDFile(p).claim()).toThrow(InvalidPIDFileError);
    expect(() => new PIDFile(p).read()).toThrow(/does not hold a process id: "hello\\n"/);
  });

  it("never follows a symlink, dangling or not", () => {
    const target = join(dir, "target");
    writeFileSync(target, "precious\n");
    const p = path();
    symlinkSync(target, p);
    expect(() => new PIDFile(p).claim()).toThrow(/is a symbolic link/);
    expect(() => new PIDFile(p).read()).toThrow(/is a symbolic link/);
    expect(readFileSync(target, "utf8")).toBe("precious\n");
    const dangling = path();
    symlinkSync(join(dir, "nowhere"), dangling);
    expect(() => new PIDFile(dangling).claim()).toThrow(/is a symbolic link/);
    expect(existsSync(join(dir, "nowhere"))).toBe(false);
  });

  it("says what to do when the directory is missing or the path is a directory", () => {
    const missing = join(dir, "no", "dir", "x.pid");
    expect(() => new PIDFile(missing).claim()).toThrow(StartupError);
    expect(() => new PIDFile(missing).claim()).toThrow(/its directory does not exist/);
    const sub = join(dir, "adir");
    mkdirSync(sub);
    expect(() => new PIDFile(sub).read()).toThrow(/cannot write --pidfile .*: it is a directory/);
  });

  it("removes a lock left by a replacer that died, then replaces the stale file", () => {
    const p = path();
    writeFileSync(p, `${DEAD}\n`);
    writeFileSync(`${p}.lock`, `${DEAD}\n`);
    new PIDFile(p).claim();
    expect(readFileSync(p, "utf8")).toBe(`${process.pid}\n`);
    const q = path();
    writeFileSync(q, `${DEAD}\n`);
    writeFileSync(`${q}.lock`, "");
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${q}.lock`, old, old);
    new PIDFile(q).claim();
    expect(readFileSync(q, "utf8")).toBe(`${process.pid}\n`);
  });

  it("gives up when a live replacer keeps the lock", () => {
    const p = path();
    writeFileSync(p, `${DEAD}\n`);
    writeFileSync(`${p}.lock`, `${process.ppid}\n`);
    expect(() => new PIDFile(p).claim()).toThrow(/other processes keep claiming it/);
  });
});
