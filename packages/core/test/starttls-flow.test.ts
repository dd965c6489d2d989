/**
 * Flow control carries over through `startTLS`: a server connection that switches to TLS while
 * its write buffer is past the high-water mark (reading paused) stays paused until the
 * plain-text data drains, and then keeps its buffer bounded over TLS against a peer that does
 * not read, and the echo completes byte for byte. Runs on both transports (core's project on
 * node:net, @torsion/native's on the native one, where `startTLS` hands the descriptor over).
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { createReactor, Protocol } from "../src/index.ts";
import { DEFAULT_HIGH_WATER_MARK } from "../src/policies.ts";
import type { TCPTransport } from "../src/transport/tcp.ts";
import {
  defer,
  hasOpenSSL,
  RememberingFactory,
  turns,
  useLoopbackPorts,
  writeSelfSignedCertificate,
} from "./helpers.ts";

const listen = useLoopbackPorts();
const openssl = hasOpenSSL();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torsion-starttls-flow-"));
const files = openssl ? writeSelfSignedCertificate(dir) : undefined;
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const BLOB = 16 * 1024 * 1024; // plain text written just before the switch: more than the kernel holds
const PIECE = 64 * 1024;

/** "STARTTLS\n": answer with BLOB bytes of plain text, then switch; over TLS, echo. */
class Upgrading extends Protocol {
  pausedAtSwitch = false;
  maxSecureQueued = 0;
  readonly secureOver = defer<void>();
  get #t(): TCPTransport {
    return this.transport as TCPTransport;
  }
  override dataReceived(data: Buffer): void {
    const t = this.#t;
    if (!t.isSecure) {
      expect(data.toString()).toBe("STARTTLS\n");
      for (let i = 0; i < BLOB; i += PIECE) t.write(Buffer.alloc(PIECE, 0x2e));
      this.pausedAtSwitch = t.writeBufferSize > DEFAULT_HIGH_WATER_MARK;
      const { key, cert } = files!;
      t.startTLS({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, true);
      return;
    }
    t.write(data);
    this.maxSecureQueued = Math.max(this.maxSecureQueued, t.writeBufferSize);
    if (t.writeBufferSize > DEFAULT_HIGH_WATER_MARK) this.secureOver.resolve();
  }
}

describe.skipIf(!openssl)("startTLS under write pressure (skipped without openssl)", () => {
  it("keeps flow control's pause and bound across the switch; the echo is byte for byte", async () => {
    const reactor = createReactor();
    const servers = new RememberingFactory(() => new Upgrading());
    const port = await listen(reactor, servers);
    const plain = net.connect(port, "127.0.0.1");
    await new Promise<void>((resolve) => plain.once("connect", resolve));
    plain.write("STARTTLS\n");
    // Read the whole plain-text answer (the server sends nothing more until the handshake).
    let got = 0;
    await new Promise<void>((resolve) => {
      const onData = (d: Buffer): void => {
        got += d.length;
        if (got >= BLOB) {
          plain.removeListener("data", onData);
          plain.pause();
          resolve();
        }
      };
      plain.on("data", onData);
    });
    expect(got).toBe(BLOB);
    const server = await servers.protocolAt(0);
    expect(server.pausedAtSwitch).toBe(true);

    const secure = tls.connect({
      socket: plain,
      ca: fs.readFileSync(files!.cert),
      servername: "localhost",
    });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", resolve);
      secure.once("error", reject);
    });
    const total = 16 * 1024 * 1024;
    const sent = Buffer.alloc(total);
    for (let i = 0; i < total; i += 4) sent.writeUInt32LE((i * 2654435761) >>> 0, i);
    secure.pause(); // does not read the echo yet
    secure.write(sent);
    await server.secureOver.promise;
    await turns(50); // room for the server to read on, were it not paused
    // Paused: at most one TLS record's echo (16 KiB) past the high-water mark, not megabytes.
    expect(server.maxSecureQueued).toBeLessThanOrEqual(DEFAULT_HIGH_WATER_MARK + 64 * 1024);

    const chunks: Buffer[] = [];
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      secure.on("data", (d: Buffer) => {
        chunks.push(d);
        received += d.length;
        if (received >= total) resolve();
      });
      secure.on("error", reject);
      secure.resume();
    });
    expect(Buffer.concat(chunks).equals(sent)).toBe(true);
    expect(server.maxSecureQueued).toBeLessThanOrEqual(DEFAULT_HIGH_WATER_MARK + 64 * 1024);
    secure.destroy();
  }, 60_000);

  it("a connection paused by pauseProducing gets no data on the TLS socket until resumed", async () => {
    const reactor = createReactor();
    class PausedUpgrade extends Protocol {
      secureData = 0;
      override dataReceived(data: Buffer): void {
        const t = this.transport as TCPTransport;
        if (t.isSecure) {
          this.secureData += data.length;
          t.write(data);
          return;
        }
        t.write("GO\n");
        t.pauseProducing();
        const { key, cert } = files!;
        t.startTLS({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, true);
      }
    }
    const servers = new RememberingFactory(() => new PausedUpgrade());
    const port = await listen(reactor, servers);
    const plain = net.connect(port, "127.0.0.1");
    plain.write("STARTTLS\n");
    await new Promise<void>((resolve) =>
      plain.once("data", (d: Buffer) => {
        expect(d.toString()).toBe("GO\n");
        plain.pause();
        resolve();
      }),
    );
    // node:tls completes the handshake even while the cleartext side is paused.
    const secure = tls.connect({
      socket: plain,
      ca: fs.readFileSync(files!.cert),
      servername: "localhost",
    });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", resolve);
      secure.once("error", reject);
    });
    const echoed = new Promise<string>((resolve) =>
      secure.once("data", (d: Buffer) => resolve(d.toString())),
    );
    secure.write("over tls");
    await turns(50);
    const server = await servers.protocolAt(0);
    expect(server.secureData).toBe(0); // still paused: nothing delivered
    (server.transport as TCPTransport).resumeProducing();
    expect(await echoed).toBe("over tls");
    secure.destroy();
  });
});
