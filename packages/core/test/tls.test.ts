/**
 * TLS over loopback with a self-signed certificate made for the test by `openssl`.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { TLSOptions } from "../src/endpoints.ts";
import { CertificateError } from "../src/errors.ts";
import { ConnectionDone, createReactor, Factory, type Failure } from "../src/index.ts";
import type { TCPTransport } from "../src/transport/tcp.ts";
import { Echo, OneShotFactory, portOf, Recorder, RememberingFactory } from "./helpers.ts";

/** A certificate for `localhost` and 127.0.0.1, or `undefined` when openssl is not installed. */
function makeCertificate(): { key: string; cert: string; dir: string } | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torsion-tls-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
  } catch {
    fs.rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    key: fs.readFileSync(path.join(dir, "key.pem"), "utf8"),
    cert: fs.readFileSync(path.join(dir, "cert.pem"), "utf8"),
    dir,
  };
}

const pki = makeCertificate();
afterAll(() => {
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});
const serverOptions = (): TLSOptions => ({ key: pki!.key, cert: pki!.cert });

describe.skipIf(pki === undefined)(
  "TLS (skipped when `openssl` is not installed to make a certificate)",
  () => {
    it("echoes over TLS when the client trusts the certificate; host name verified", async () => {
      const reactor = createReactor();
      await using port = await reactor.listenSSL(0, Factory.forProtocol(Echo), serverOptions(), {
        interface: "127.0.0.1",
      });
      const client = new Recorder();
      reactor.connectSSL(
        "localhost",
        portOf(port),
        new OneShotFactory(client),
        { ca: pki!.cert },
        { timeout: 30 },
      );
      await client.made;
      expect((client.transport as TCPTransport).isSecure).toBe(true);
      client.transport.write("secret");
      await client.receivedAtLeast(6);
      expect(client.received.toString()).toBe("secret");
      client.transport.loseConnection();
      expect((await client.lost).check(ConnectionDone)).toBe(ConnectionDone);
    });

    it("verifies by default: without the CA the attempt fails with CertificateError", async () => {
      const reactor = createReactor();
      const servers = new RememberingFactory(() => new Echo());
      await using port = await reactor.listenSSL(0, servers, serverOptions(), {
        interface: "127.0.0.1",
      });
      const factory = new OneShotFactory(new Recorder());
      reactor.connectSSL("localhost", portOf(port), factory, {});
      const reason = await factory.failed.promise;
      expect(reason.check(CertificateError)).toBe(CertificateError);
      expect(((reason.value as Error).cause as NodeJS.ErrnoException).code).toBe(
        "DEPTH_ZERO_SELF_SIGNED_CERT",
      );
      expect(servers.built).toEqual([]);
    });

    it("a host name the certificate does not name fails with CertificateError", async () => {
      const reactor = createReactor();
      await using port = await reactor.listenSSL(0, Factory.forProtocol(Echo), serverOptions(), {
        interface: "127.0.0.1",
      });
      const factory = new OneShotFactory(new Recorder());
      reactor.connectSSL("127.0.0.1", portOf(port), factory, {
        ca: pki!.cert,
        servername: "example.com",
      });
      const reason = await factory.failed.promise;
      expect(reason.check(CertificateError)).toBe(CertificateError);
      expect(((reason.value as Error).cause as NodeJS.ErrnoException).code).toBe(
        "ERR_TLS_CERT_ALTNAME_INVALID",
      );
    });

    it("startTLS upgrades a live plain-text connection (STARTTLS)", async () => {
      const reactor = createReactor();
      class Server extends Recorder {
        override dataReceived(data: Buffer): void {
          const t = this.transport as TCPTransport;
          if (!t.isSecure && data.toString() === "STARTTLS\n") {
            t.write("GO\n"); // still in clear: written before startTLS
            t.startTLS(serverOptions(), true);
            return;
          }
          t.write(Buffer.concat([Buffer.from("secure:"), data]));
        }
      }
      const port = await reactor.listenTCP(0, new RememberingFactory(() => new Server()), {
        interface: "127.0.0.1",
      });
      class Client extends Recorder {
        upgraded = false;
        override dataReceived(data: Buffer): void {
          super.dataReceived(data);
          if (!this.upgraded && data.toString() === "GO\n") {
            this.upgraded = true;
            this.chunks = [];
            const t = this.transport as TCPTransport;
            t.startTLS({ ca: pki!.cert, servername: "localhost" });
            t.write("hello");
          }
        }
      }
      const client = new Client();
      reactor.connectTCP("127.0.0.1", portOf(port), new OneShotFactory(client));
      await client.made;
      client.transport.write("STARTTLS\n");
      await client.receivedAtLeast("secure:hello".length);
      expect(client.received.toString()).toBe("secure:hello");
      expect((client.transport as TCPTransport).isSecure).toBe(true);
      expect(() => (client.transport as TCPTransport).startTLS({})).toThrow(/already/);
      client.transport.loseConnection();
      await client.lost;
      await port.stopListening();
    });

    it("startTLS against an untrusted certificate ends the connection with CertificateError", async () => {
      const reactor = createReactor();
      class Server extends Recorder {
        override connectionMade(): void {
          (this.transport as TCPTransport).startTLS(serverOptions(), true);
        }
      }
      await using port = await reactor.listenTCP(0, new RememberingFactory(() => new Server()), {
        interface: "127.0.0.1",
      });
      const client = new Recorder();
      reactor.connectTCP("127.0.0.1", portOf(port), new OneShotFactory(client));
      await client.made;
      (client.transport as TCPTransport).startTLS({ servername: "localhost" });
      const reason: Failure = await client.lost;
      expect(reason.check(CertificateError)).toBe(CertificateError);
    });
  },
);
