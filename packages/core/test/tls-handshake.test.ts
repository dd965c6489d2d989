/**
 * TLS server handshakes over loopback: failures are logged at info with the peer and the
 * reason; a client that never sends a ClientHello is closed after the handshake timeout;
 * `sslmethod` values that cannot work on this Node are refused when the string is parsed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverFromString } from "../src/endpoints/parse.ts";
import type { IListeningPort } from "../src/interfaces.ts";
import { Factory } from "../src/protocol/factory.ts";
import { Protocol } from "../src/protocol/protocol.ts";
import { createReactor } from "../src/reactor/default.ts";
import { captureLogs, defer, hasOpenSSL, writeSelfSignedCertificate } from "./helpers.ts";

const portOf = (p: IListeningPort): number => (p.getHost() as unknown as { port: number }).port;

/** Connect a raw TCP client, write `data` (if any), resolve once the server closed it. */
function rawClient(port: number, data?: string): Promise<number> {
  const closed = defer<number>();
  const started = Date.now();
  const s = net.connect(port, "127.0.0.1", () => {
    if (data !== undefined) s.write(data);
  });
  s.on("error", () => {});
  s.on("close", () => closed.resolve(Date.now() - started));
  s.resume();
  return closed.promise;
}

describe("sslmethod at parse time", () => {
  it("refuses methods this Node cannot use, with a clear message", () => {
    const reactor = createReactor();
    expect(() => serverFromString(reactor, "ssl:0:sslmethod=SSLv3_METHOD")).toThrow(
      /SSLv3_METHOD': it cannot work/,
    );
    if (Number(process.versions.openssl?.split(".")[0]) >= 3) {
      expect(() => serverFromString(reactor, "ssl:0:sslmethod=TLSv1_METHOD")).toThrow(
        /cannot work on this Node.*TLSv1_2_METHOD/,
      );
      expect(() => serverFromString(reactor, "ssl:0:sslmethod=TLSv1_1_METHOD")).toThrow(
        /cannot work on this Node/,
      );
    }
    expect(() => serverFromString(reactor, "ssl:0:sslmethod=TLSv1_2_METHOD")).not.toThrow();
    expect(() => serverFromString(reactor, "ssl:0:handshakeTimeout=soon")).toThrow(
      /handshakeTimeout/,
    );
  });
});

describe.skipIf(!hasOpenSSL())("TLS handshakes (skipped: openssl not installed)", () => {
  let dir = "";
  let key = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "torsion-tls-hs-"));
    // ssl:'s privateKey= takes the key and the certificate in one file.
    const pair = writeSelfSignedCertificate(dir);
    key = join(dir, "server.pem");
    writeFileSync(key, readFileSync(pair.key, "utf8") + readFileSync(pair.cert, "utf8"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a client that never sends a ClientHello is closed after handshakeTimeout, logged at info", async () => {
    const reactor = createReactor();
    const f = Factory.forProtocol(Protocol);
    f.noisy = false;
    const logs = captureLogs();
    const ep = serverFromString(
      reactor,
      `ssl:0:interface=127.0.0.1:privateKey=${key}:handshakeTimeout=0.2`,
    );
    const port = await ep.listen(f);
    try {
      await rawClient(portOf(port));
      const logged = logs.events.find(
        (e) => e.log_format === "TLS handshake with {peer} failed: {reason}",
      );
      expect(logged).toMatchObject({ reason: "handshake timed out" });
      expect(String(logged!.peer)).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(String(logged!.log_level)).toMatch(/info/);
    } finally {
      logs.stop();
      await port.stopListening();
    }
  });

  it("a client that sends garbage fails its handshake: logged at info with the reason", async () => {
    const reactor = createReactor();
    const f = Factory.forProtocol(Protocol);
    f.noisy = false;
    const logs = captureLogs();
    const port = await serverFromString(
      reactor,
      `ssl:0:interface=127.0.0.1:privateKey=${key}`,
    ).listen(f);
    try {
      await rawClient(portOf(port), "GET / HTTP/1.0\r\n\r\n");
      const logged = logs.events.find(
        (e) => e.log_format === "TLS handshake with {peer} failed: {reason}",
      );
      expect(String(logged?.reason)).toMatch(/wrong version number|http request|unknown protocol/i);
      expect(String(logged!.peer)).toMatch(/^127\.0\.0\.1:\d+$/);
    } finally {
      logs.stop();
      await port.stopListening();
    }
  });
});
