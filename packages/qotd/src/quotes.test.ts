import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_QUOTE,
  encodeQuote,
  FixedQuote,
  loadQuoteFile,
  MAX_QUOTE_LENGTH,
  parseQuotes,
  QuoteList,
  QuoteTooLongError,
} from "./quotes.ts";

describe("encodeQuote", () => {
  it("ends lines with CRLF and adds a final one", () => {
    expect(encodeQuote("one\ntwo")).toEqual(Buffer.from("one\r\ntwo\r\n"));
    expect(encodeQuote("one\r\n")).toEqual(Buffer.from("one\r\n"));
  });

  it("accepts up to 511 bytes as sent and refuses longer quotes rather than cutting them", () => {
    expect(encodeQuote("a".repeat(MAX_QUOTE_LENGTH - 2)).length).toBe(511);
    expect(() => encodeQuote("a".repeat(MAX_QUOTE_LENGTH - 1))).toThrow(QuoteTooLongError);
    expect(() => encodeQuote("a".repeat(MAX_QUOTE_LENGTH - 1))).toThrow(/512 bytes as sent/);
    // counted in bytes: 255 two-byte characters + CRLF = 512
    expect(() => encodeQuote("\u00e9".repeat(255))).toThrow(QuoteTooLongError);
  });
});

describe("quote sources", () => {
  it("FixedQuote defaults to Twisted's quote", () => {
    expect(new FixedQuote().nextQuote().toString()).toBe(`${DEFAULT_QUOTE}\r\n`);
    expect(new FixedQuote("Hi.").nextQuote().toString()).toBe("Hi.\r\n");
    expect(() => new FixedQuote("x".repeat(600))).toThrow(QuoteTooLongError);
  });

  it("QuoteList rotates in order", () => {
    const list = new QuoteList(["a", "b", "c"]);
    const got = Array.from({ length: 7 }, () => list.nextQuote().toString().trim());
    expect(got).toEqual(["a", "b", "c", "a", "b", "c", "a"]);
  });

  it("QuoteList picks at random with the injected generator", () => {
    const values = [0.99, 0, 0.5, 0.34];
    const list = new QuoteList(["a", "b", "c"], { order: "random", random: () => values.shift()! });
    const got = Array.from({ length: 4 }, () => list.nextQuote().toString().trim());
    expect(got).toEqual(["c", "a", "b", "b"]);
  });

  it("QuoteList refuses no quotes, and names the quote that is too long", () => {
    expect(() => new QuoteList([])).toThrow(TypeError);
    expect(() => new QuoteList(["ok", "x".repeat(600)])).toThrow(/quote 2 is 602 bytes/);
  });
});

describe("parseQuotes and loadQuoteFile", () => {
  it("splits paragraphs", () => {
    expect(parseQuotes("One.\nStill one.\n\n\nTwo.\r\n\r\nThree.\n")).toEqual([
      "One.\nStill one.",
      "Two.",
      "Three.",
    ]);
  });

  it("splits on fortune's % lines, keeping blank lines inside a quote", () => {
    expect(parseQuotes("First\n\nstill first\n%\nSecond\n%\n%\n")).toEqual([
      "First\n\nstill first",
      "Second",
    ]);
  });

  it("loads a file, and fails naming the file for a quote that is too long or no quote", async () => {
    const dir = mkdtempSync(join(tmpdir(), "qotd-"));
    const good = join(dir, "good");
    writeFileSync(good, "a\n%\nb\n");
    const list = await loadQuoteFile(good);
    expect([list.nextQuote(), list.nextQuote()].map(String)).toEqual(["a\r\n", "b\r\n"]);
    const bad = join(dir, "bad");
    writeFileSync(bad, `ok\n\n${"x".repeat(600)}\n`);
    await expect(loadQuoteFile(bad)).rejects.toThrow(`${bad}: quote 2 is 602 bytes`);
    const empty = join(dir, "empty");
    writeFileSync(empty, "\n\n");
    await expect(loadQuoteFile(empty)).rejects.toThrow(/holds no quote/);
    await expect(loadQuoteFile(join(dir, "missing"))).rejects.toThrow(/ENOENT/);
  });
});
