/**
 * TLS endpoints over loopback with a self-signed certificate made here by `openssl`
 * (skipped, visibly, where `openssl` is not installed).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectProtocol } from "../src/endpoints/connect.ts";
import { clientFromString, serverFromString } from "../src/endpoints/parse.ts";
import { quoteStringArgument } from "../src/endpoints/quote.ts";
import { loadServerTLSFiles } from "../src/endpoints/tls-files.ts";
import { CannotListenError, CertificateError } from "../src/errors.ts";
import type { Failure } from "../src/failure.ts";
import type { IListeningPort } from "../src/interfaces.ts";
import { Factory } from "../src/protocol/factory.ts";
import { Protocol } from "../src/protocol/protocol.ts";
import { createReactor } from "../src/reactor/default.ts";
import { hasOpenSSL, writeSelfSignedCertificate } from "./helpers.ts";

const reactor = createReactor();
const q = quoteStringArgument;

class Upper extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data.toString().toUpperCase());
  }
}

class Collector extends Protocol {
  text = "";
  #wake: (() => void) | undefined;
  lost: Promise<Failure>;
  #lose!: (f: Failure) => void;
  constructor() {
    super();
    this.lost = new Promise((r) => (this.#lose = r));
  }
  override dataReceived(data: Buffer): void {
    this.text += data.toString();
    this.#wake?.();
  }
  override connectionLost(reason: Failure): void {
    this.#lose(reason);
  }
  async received(n: number): Promise<string> {
    while (this.text.length < n) await new Promise<void>((r) => (this.#wake = r));
    return this.text;
  }
}

const portOf = (p: IListeningPort): number => (p.getHost() as unknown as { port: number }).port;

describe.skipIf(!hasOpenSSL())(
  "TLS endpoints over loopback (skipped: openssl not installed)",
  () => {
    let dir = "";
    let key = "";
    let cert = "";
    let caDir = "";

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "torsion-tls-"));
      ({ key, cert } = writeSelfSignedCertificate(dir));
      caDir = join(dir, "cas");
      mkdirSync(caDir);
      writeFileSync(join(caDir, "local.pem"), readFileSync(cert));
      writeFileSync(join(caDir, "ignored.txt"), "not a certificate");
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    async function withServer(run: (port: number) => Promise<void>): Promise<void> {
      const port = await serverFromString(
        reactor,
        `ssl:0:privateKey=${q(key)}:certKey=${q(cert)}:interface=127.0.0.1`,
      ).listen(Factory.forProtocol(Upper));
      try {
        await run(portOf(port));
      } finally {
        await port.stopListening();
      }
    }

    async function talk(description: string): Promise<void> {
      const proto = await connectProtocol(clientFromString(reactor, description), new Collector());
      proto.transport.write("secret");
      expect(await proto.received(6)).toBe("SECRET");
      proto.transport.loseConnection();
      await proto.lost;
    }

    it("ssl: server and tls: client, trusting the certificate's file", async () => {
      await withServer((port) => talk(`tls:localhost:${port}:trustRoots=${q(cert)}`));
    });

    it("ssl: client with a CA directory and the host name to verify", async () => {
      await withServer((port) =>
        talk(`ssl:127.0.0.1:${port}:caCertsDir=${q(caDir)}:hostname=localhost`),
      );
    });

    it("tls: over another endpoint (STARTTLS on a TCP connection)", async () => {
      await withServer((port) =>
        talk(`tls:localhost:${port}:trustRoots=${q(cert)}:endpoint=${q(`tcp:127.0.0.1:${port}`)}`),
      );
    });

    it("a client that does not trust the certificate fails with CertificateError", async () => {
      await withServer(async (port) => {
        await expect(
          connectProtocol(clientFromString(reactor, `tls:localhost:${port}`), new Collector()),
        ).rejects.toBeInstanceOf(CertificateError);
      });
    });

    it("a missing key file fails listen with CannotListenError naming the file", async () => {
      const missing = join(dir, "nope.pem");
      const d = serverFromString(
        reactor,
        `ssl:0:privateKey=${q(missing)}:interface=127.0.0.1`,
      ).listen(new Factory());
      await expect(d).rejects.toBeInstanceOf(CannotListenError);
      await expect(d).rejects.toThrow(
        `Couldn't listen on 127.0.0.1:0: can't read the privateKey file '${missing}': no such file`,
      );
    });

    it("extraCertChain is appended to the certificate; a chain file without certificates is refused", () => {
      const options = loadServerTLSFiles({ privateKey: key, certKey: cert, extraCertChain: cert });
      expect(String(options.cert).match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
      const empty = join(dir, "empty.pem");
      writeFileSync(empty, "");
      expect(() => loadServerTLSFiles({ privateKey: key, extraCertChain: empty })).toThrow(
        `Specified chain file '${empty}' doesn't contain any valid certificates in PEM format.`,
      );
    });
  },
);
