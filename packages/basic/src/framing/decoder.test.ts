import { describe, expect, it } from "vitest";
import { Accumulator } from "./accumulator.ts";
import { DecodeError, decodeAll, IncompleteFrameError } from "./decoder.ts";
import { LineDecoder } from "./line-decoder.ts";

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
