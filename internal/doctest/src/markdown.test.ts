import { describe, expect, it } from "vitest";
import { extractCodeBlocks } from "./markdown.ts";

describe("extractCodeBlocks", () => {
  it("finds each fence with its language, first line and the directive before it", () => {
    const page = [
      "# Title", // 1
      "", // 2
      "```ts", // 3
      "const a = 1;", // 4
      "```", // 5
      "<!-- doctest: skip needs a server on a fixed port -->", // 6
      "", // 7
      "```sh", // 8
      "nc 127.0.0.1 8007", // 9
      "```", // 10
      "<!-- doctest: file hash.mjs -->", // 11
      "````javascript title", // 12
      "```", // 13
      "````", // 14
      "```", // 15
      "bare", // 16
      "```", // 17
    ].join("\n");
    const blocks = extractCodeBlocks(page);
    expect(blocks.map((b) => [b.info, b.language, b.line, b.directive])).toEqual([
      ["ts", "ts", 3, { kind: "none" }],
      ["sh", "sh", 8, { kind: "skip", reason: "needs a server on a fixed port" }],
      ["javascript", "js", 12, { kind: "file", name: "hash.mjs" }],
      ["", null, 15, { kind: "none" }],
    ]);
    expect(blocks[0]!.code).toBe("const a = 1;\n");
    expect(blocks[2]!.code).toBe("```\n");
  });

  it("drops a directive separated from the fence by prose, and keeps list indentation out", () => {
    const page = [
      "<!-- doctest: skip x -->",
      "Some prose.",
      "1. step",
      "   ```json",
      "   {}",
      "   ```",
    ];
    const [block] = extractCodeBlocks(page.join("\n"));
    expect(block!.directive).toEqual({ kind: "none" });
    expect(block!.language).toBeNull();
    expect(block!.code).toBe("{}\n");
  });

  it("reads a type-check-only reason", () => {
    const [block] = extractCodeBlocks(
      "<!-- doctest: typecheck-only serves forever -->\n```ts\n1\n```\n",
    );
    expect(block!.directive).toEqual({ kind: "typecheck-only", reason: "serves forever" });
  });

  it("reads a required command", () => {
    const [block] = extractCodeBlocks("<!-- doctest: requires nc -->\n```sh\nnc -h\n```\n");
    expect(block!.directive).toEqual({ kind: "requires", command: "nc" });
  });

  it("reports a directive it does not understand", () => {
    const [block] = extractCodeBlocks("<!-- doctest: sometimes -->\n```js\n1\n```\n");
    expect(block!.directive).toEqual({ kind: "invalid", text: "sometimes" });
  });
});
