/**
 * Flow control's water marks on a scripted {@link StreamSocket}: reading stops past the
 * high-water mark and resumes as soon as a written chunk leaves the buffer at or below the
 * low-water mark, not only at `drain` (when it is empty); writes below the low mark carry no
 * callback at all.
 */
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { IPv4Address } from "./address.ts";
import { DEFAULT_HIGH_WATER_MARK, DEFAULT_LOW_WATER_MARK } from "./flow-control.ts";
import type { StreamSocket } from "./stream-socket.ts";
import { TCPTransport } from "./tcp.ts";

const KiB = 1024;

/** A socket whose kernel takes nothing until `send` is called; it tracks pause/resume. */
class ScriptedSocket extends EventEmitter implements StreamSocket {
  queue: { bytes: number; callback?: ((error?: Error | null) => void) | undefined }[] = [];
  paused = false;
  needDrain = false;
  callbacksGiven = 0;
  write(data: string | Uint8Array, callback?: (error?: Error | null) => void): boolean {
    const bytes = typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
    this.queue.push({ bytes, callback });
    if (callback !== undefined) this.callbacksGiven++;
    if (this.writableLength >= 16 * KiB) this.needDrain = true;
    return !this.needDrain;
  }
  /** The kernel takes the oldest `n` chunks: their callbacks run, then `drain` if empty. */
  send(n: number): void {
    for (const chunk of this.queue.splice(0, n)) chunk.callback?.(null);
    if (this.queue.length === 0 && this.needDrain) {
      this.needDrain = false;
      this.emit("drain");
    }
  }
  get writableLength(): number {
    return this.queue.reduce((sum, c) => sum + c.bytes, 0);
  }
  get writableNeedDrain(): boolean {
    return this.needDrain;
  }
  readonly writableFinished = false;
  cork(): void {}
  uncork(): void {}
  end(): void {}
  destroy(): void {}
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  setNoDelay(): void {}
  setKeepAlive(): void {}
  address(): unknown {
    return {};
  }
}

function serverConnection(socket: ScriptedSocket): TCPTransport {
  const protocol = {
    makeConnection() {},
    dataReceived() {},
    connectionLost() {},
  };
  const t = new TCPTransport(socket, protocol as never, {
    peer: new IPv4Address("TCP", "127.0.0.1", 1),
    sessionno: 0,
    owner: null,
  });
  t.start();
  return t;
}

describe("flow control water marks", () => {
  it("resumes reading once the buffer is down to the low-water mark, with data still queued", () => {
    const socket = new ScriptedSocket();
    const t = serverConnection(socket);
    for (let i = 0; i < 20; i++) t.write(Buffer.alloc(4 * KiB)); // 80 KiB queued
    expect(t.writeBufferSize).toBe(80 * KiB);
    expect(t.writeBufferSize).toBeGreaterThan(DEFAULT_HIGH_WATER_MARK);
    expect(socket.paused).toBe(true);

    socket.send(11); // 36 KiB left: above the low mark
    expect(socket.paused).toBe(true);
    socket.send(1); // 32 KiB left: at the low mark
    expect(t.writeBufferSize).toBe(DEFAULT_LOW_WATER_MARK);
    expect(socket.paused).toBe(false);
    expect(socket.needDrain).toBe(true); // resumed before the buffer emptied
  });

  it("follows a lowered mark: no resume while more than it is queued", () => {
    const socket = new ScriptedSocket();
    const t = serverConnection(socket);
    t.setFlowControl({ lowWaterMark: 8 * KiB });
    t.write(Buffer.alloc(70 * KiB));
    t.write(Buffer.alloc(10 * KiB));
    expect(socket.paused).toBe(true);
    socket.send(1); // 10 KiB left: still above 8 KiB
    expect(socket.paused).toBe(true);
    socket.send(1); // empty
    expect(socket.paused).toBe(false);
  });

  it("writes that leave the buffer at or below the low mark carry no callback", () => {
    const socket = new ScriptedSocket();
    const t = serverConnection(socket);
    for (let i = 0; i < 8; i++) t.write("x".repeat(4 * KiB)); // up to 32 KiB: at the mark
    t.writeSequence([Buffer.alloc(KiB), "y"]);
    expect(socket.callbacksGiven).toBe(1); // only the sequence's last chunk, past the mark
    socket.send(100);
    t.write("z");
    expect(socket.callbacksGiven).toBe(1);
  });
});
