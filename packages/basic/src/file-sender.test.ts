import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { TorsionError } from "@torsion/core";
import { StringTransport } from "@torsion/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileSender } from "./file-sender.ts";

let dir: string;
let fds: number[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "torsion-file-sender-"));
});
afterEach(() => {
  for (const fd of fds) closeSync(fd);
  fds = [];
  rmSync(dir, { recursive: true, force: true });
});

function fileWith(content: string | Buffer): number {
  const path = join(dir, "f");
  writeFileSync(path, content);
  const fd = openSync(path, "r");
  fds.push(fd);
  return fd;
}

/** The Deferred's result, synchronously (Deferreds fire synchronously). */
function resultOf<T>(d: { addCallbacks: Function }): { ok?: T; err?: unknown; fired: boolean } {
  const out: { ok?: T; err?: unknown; fired: boolean } = { fired: false };
  d.addCallbacks(
    (v: T) => {
      out.ok = v;
      out.fired = true;
    },
    (f: { value: unknown }) => {
      out.err = f.value;
      out.fired = true;
    },
  );
  return out;
}

describe("FileSender", () => {
  it("registers itself with the consumer as a pull (non-streaming) producer", () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    sender.beginFileTransfer(fileWith("Test content"), consumer);
    expect(consumer.producer).toBe(sender);
    expect(consumer.streaming).toBe(false);
  });

  it("sends the file and fires with the last byte sent, after one more resume at the end", () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    const r = resultOf<Buffer>(sender.beginFileTransfer(fileWith("Test content"), consumer));
    sender.resumeProducing();
    expect(r.fired).toBe(false);
    sender.resumeProducing();
    expect(consumer.producer).toBeNull();
    expect(r.ok).toEqual(Buffer.from("t"));
    expect(consumer.value().toString()).toBe("Test content");
  });

  it("reads at most CHUNK_SIZE (2^14 by default) per resume", () => {
    expect(new FileSender().CHUNK_SIZE).toBe(16384);
    const consumer = new StringTransport();
    const sender = new FileSender();
    sender.CHUNK_SIZE = 4;
    const r = resultOf<Buffer>(sender.beginFileTransfer(fileWith("Test content"), consumer));
    sender.resumeProducing();
    expect(consumer.value().toString()).toBe("Test");
    sender.resumeProducing();
    expect(consumer.value().toString()).toBe("Test con");
    sender.resumeProducing();
    expect(consumer.value().toString()).toBe("Test content");
    expect(r.fired).toBe(false);
    sender.resumeProducing();
    expect(r.ok).toEqual(Buffer.from("t"));
  });

  it("passes each chunk through the transform", () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    const swapcase = (b: Buffer): Buffer =>
      Buffer.from(
        [...b.toString()]
          .map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()))
          .join(""),
      );
    const r = resultOf<Buffer>(
      sender.beginFileTransfer(fileWith("Test content"), consumer, swapcase),
    );
    sender.resumeProducing();
    sender.resumeProducing();
    expect(r.ok).toEqual(Buffer.from("T"));
    expect(consumer.value().toString()).toBe("tEST CONTENT");
  });

  it("fires with an empty Buffer for an empty file", () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    const r = resultOf<Buffer>(sender.beginFileTransfer(fileWith(""), consumer));
    sender.resumeProducing();
    expect(r.ok).toEqual(Buffer.alloc(0));
  });

  it("fails the Deferred when the consumer stops it first", () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    const r = resultOf<Buffer>(sender.beginFileTransfer(fileWith("Test content"), consumer));
    sender.stopProducing();
    expect(r.err).toBeInstanceOf(TorsionError);
    expect((r.err as Error).message).toBe("Consumer asked us to stop producing");
    sender.resumeProducing();
    expect(consumer.value().toString()).toBe("");
  });

  it("streams a Readable, waiting for data that has not arrived yet", async () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    sender.CHUNK_SIZE = 5;
    const source = new PassThrough();
    const d = sender.beginFileTransfer(source, consumer);
    const r = resultOf<Buffer>(d);
    sender.resumeProducing(); // nothing yet: waits
    source.write("hello world");
    await new Promise((resolve) => setImmediate(resolve));
    expect(consumer.value().toString()).toBe("hello");
    while (!r.fired) {
      sender.resumeProducing();
      if (consumer.value().length === 11 && !source.writableEnded) source.end();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(consumer.value().toString()).toBe("hello world");
    expect(r.ok).toEqual(Buffer.from("d"));
  });

  it("fails with the stream's error", async () => {
    const consumer = new StringTransport();
    const sender = new FileSender();
    const source = new Readable({ read() {} });
    const r = resultOf<Buffer>(sender.beginFileTransfer(source, consumer));
    sender.resumeProducing();
    source.destroy(new Error("disk on fire"));
    await new Promise((resolve) => setImmediate(resolve));
    expect((r.err as Error).message).toBe("disk on fire");
  });
});
