import { describe, expect, it } from "vitest";
import { hasTwisted, run, startServer, twistedReason } from "./peers.ts";

// Node itself stands in for the peers: it is always installed.
const NODE = process.execPath;

describe("peers", () => {
  it("run feeds stdin and collects stdout, stderr and the exit code", async () => {
    const script =
      "process.stdin.on('data', (d) => process.stdout.write(d.toString().toUpperCase()));" +
      "process.stdin.on('end', () => { process.stderr.write('done'); process.exitCode = 3; });";
    const result = await run(NODE, ["-e", script], "hello");
    expect(result).toEqual({ stdout: Buffer.from("HELLO"), stderr: "done", code: 3 });
  });

  it("startServer resolves with the port printed on the first line, and stop ends it", async () => {
    const script =
      "const s = require('node:net').createServer((c) => c.end('hi'));" +
      "s.listen(0, '127.0.0.1', () => console.log(s.address().port));";
    const { port, child, stop } = await startServer(NODE, ["-e", script]);
    expect(port).toBeGreaterThan(0);
    await stop();
    expect(child.signalCode ?? child.exitCode).not.toBeNull();
    await stop(); // a second stop is a no-op
  });

  it("startServer fails with the stderr of a server that exits before printing its port", async () => {
    await expect(
      startServer(NODE, ["-e", "console.error('no port for you'); process.exit(4)"]),
    ).rejects.toThrow(/exited with 4: no port for you/);
  });

  it("says whether Twisted is there, and why a Twisted test skips", () => {
    expect(twistedReason).toBe(
      hasTwisted
        ? "Twisted is installed"
        : "skipped: /usr/bin/python3 with twisted (python3-twisted) is not installed",
    );
  });
});
