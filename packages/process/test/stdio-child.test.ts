import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { getProcessOutputAndValue } from "../src/index.ts";

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe("StandardIO in a real child process", () => {
  it("serves a protocol on the child's stdin/stdout and ends cleanly on stdin EOF", async () => {
    const input = "hello\nstandard io\n";
    // The child runs the TypeScript sources through a module hook: no build needed.
    const [out, err, code] = await getProcessOutputAndValue(
      process.execPath,
      [
        "--conditions=@torsion/source",
        "--import",
        fixture("ts-hooks.mjs"),
        fixture("stdio-child.mjs"),
      ],
      { stdinBytes: input },
    );
    expect(err.toString()).toBe("connectionLost ConnectionDone: Connection was closed cleanly.\n");
    expect(out.toString()).toBe(`ready\n${input.toUpperCase()}`);
    // The child exits by itself once stdin is done: StandardIO released it.
    expect(code).toBe(0);
  }, 60_000);
});
