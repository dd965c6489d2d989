import { TorsionError } from "@torsion/core";
import { describe, expect, it } from "vitest";
import { Accumulator } from "./accumulator.ts";
import { DecodeError, decodeAll, IncompleteFrameError } from "./decoder.ts";
import { LengthLimitExceededError } from "./int-prefix-decoder.ts";
import { LineDecoder, LineTooLongError } from "./line-decoder.ts";
import { NetstringParseError } from "./netstring-decoder.ts";

describe("decodeAll", () => {
  it("returns every complete frame and leaves the rest buffered", () => {
    const acc = new Accumulator();
    acc.push(Buffer.from("a\nb\nc"));
    expect(decodeAll(new LineDecoder({ delimiter: "\n" }), acc).map(String)).toEqual(["a", "b"]);
    expect(acc.peek().toString()).toBe("c");
  });
});

describe("IncompleteFrameError", () => {
  it("is a DecodeError that says how many bytes were left", () => {
    const err = new IncompleteFrameError(3);
    expect(err).toBeInstanceOf(DecodeError);
    expect(err.name).toBe("IncompleteFrameError");
    expect(err.message).toBe("input ended inside a frame: 3 bytes left over");
  });
});

describe("DecodeError", () => {
  it("is the TorsionError every framing error extends, each named after its class", () => {
    for (const err of [
      new IncompleteFrameError(1),
      new LineTooLongError(3, 2, true),
      new NetstringParseError("bad"),
      new LengthLimitExceededError(3, 2),
    ]) {
      expect(err).toBeInstanceOf(DecodeError);
      expect(err).toBeInstanceOf(TorsionError);
      expect(err.name).toBe(err.constructor.name);
    }
  });
});
