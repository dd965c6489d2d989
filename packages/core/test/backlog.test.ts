/**
 * The default listen backlog is 511 (Node's and nginx's), read back from the kernel with
 * `ss` (Linux: a listening socket's Send-Q is its backlog).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createReactor, Factory, Protocol, serverFromString } from "../src/index.ts";
import { portOf } from "./helpers.ts";

function hasSs(): boolean {
  try {
    execFileSync("ss", ["-V"], { stdio: "ignore" });
    return process.platform === "linux";
  } catch {
    return false;
  }
}

/** The backlog the kernel reports for the listening socket matching `filter`. */
function backlogOf(args: string[]): number {
  const out = execFileSync("ss", ["-lnH", ...args], { encoding: "utf8" }).trim();
  const fields = out.split(/\s+/);
  // TCP: State Recv-Q Send-Q ...; UNIX (-x): Netid State Recv-Q Send-Q ...
  return Number(args.includes("-x") ? fields[3] : fields[2]);
}

const somaxconn = (() => {
  try {
    return Number(execFileSync("cat", ["/proc/sys/net/core/somaxconn"], { encoding: "utf8" }));
  } catch {
    return 4096;
  }
})();

describe.skipIf(!hasSs())("default listen backlog (needs Linux `ss`)", () => {
  const expected = Math.min(511, somaxconn);

  it("listenTCP and a tcp: endpoint without backlog= listen with 511", async () => {
    const reactor = createReactor();
    const f = Factory.forProtocol(Protocol);
    f.noisy = false;
    const port = await reactor.listenTCP(0, f, { interface: "127.0.0.1" });
    const ep = serverFromString(reactor, "tcp:0:interface=127.0.0.1");
    const epPort = await ep.listen(f);
    try {
      expect(backlogOf(["-t", `sport = :${portOf(port)}`])).toBe(expected);
      expect(backlogOf(["-t", `sport = :${portOf(epPort)}`])).toBe(expected);
      const explicit = await reactor.listenTCP(0, f, { interface: "127.0.0.1", backlog: 7 });
      expect(backlogOf(["-t", `sport = :${portOf(explicit)}`])).toBe(7);
      await explicit.stopListening();
    } finally {
      await port.stopListening();
      await epPort.stopListening();
    }
  });

  it("listenUNIX without backlog listens with 511", async () => {
    const dir = mkdtempSync(join(tmpdir(), "torsion-backlog-"));
    const path = join(dir, "s.sock");
    const reactor = createReactor();
    const f = Factory.forProtocol(Protocol);
    f.noisy = false;
    const port = await reactor.listenUNIX(path, f);
    try {
      // The socket was bound in a private directory beside the path, then linked to it
      // (see listenUNIX), so the kernel knows it by the staging name.
      const line = execFileSync("ss", ["-xlnH"], { encoding: "utf8" })
        .split("\n")
        .find((l) => l.includes(`${dir}/.torsion-`));
      expect(Number(line?.trim().split(/\s+/)[3])).toBe(expected);
    } finally {
      await port.stopListening();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
