import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { getProcessOutputAndValue } from "../src/index.ts";

const child = fileURLToPath(new URL("./fixtures/stdio-child.mjs", import.meta.url));
// The child runs plain JavaScript against the built packages; CI builds before it tests.
const built =
  existsSync(fileURLToPath(new URL("../dist/index.js", import.meta.url))) &&
  existsSync(fileURLToPath(new URL("../../core/dist/index.js", import.meta.url)));

describe("StandardIO in a real child process", () => {
  it.skipIf(!built)(
    "serves a protocol on the child's stdin/stdout and ends cleanly on stdin EOF (needs `pnpm build`)",
    async () => {
      const input = "hello\nstandard io\n";
      const [out, err, code] = await getProcessOutputAndValue(process.execPath, [child], {
        stdinBytes: input,
      });
      expect(out.toString()).toBe(`ready\n${input.toUpperCase()}`);
      expect(err.toString()).toBe(
        "connectionLost ConnectionDone: Connection was closed cleanly.\n",
      );
      // The child exits by itself once stdin is done: StandardIO released it.
      expect(code).toBe(0);
    },
  );
});
