/**
 * Endpoints over real loopback sockets with the Node reactor: TCP (IPv4 and IPv6), UNIX, and
 * connection failures. TLS is in endpoints-tls.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { connectProtocol } from "../src/endpoints/connect.ts";
import { HostnameEndpoint } from "../src/endpoints/hostname.ts";
import { clientFromString, serverFromString } from "../src/endpoints/parse.ts";
import { quoteStringArgument } from "../src/endpoints/quote.ts";
import {
  TCP4ClientEndpoint,
  TCP4ServerEndpoint,
  TCP6ClientEndpoint,
  TCP6ServerEndpoint,
} from "../src/endpoints/tcp.ts";
import { UNIXClientEndpoint, UNIXServerEndpoint } from "../src/endpoints/unix.ts";
import { ConnectError, ConnectingCancelledError, ConnectionRefusedError } from "../src/errors.ts";
import type { Failure } from "../src/failure.ts";
import type {
  IListeningPort,
  IProtocol,
  IStreamClientEndpoint,
  IStreamServerEndpoint,
} from "../src/interfaces.ts";
import { Factory } from "../src/protocol/factory.ts";
import { Protocol } from "../src/protocol/protocol.ts";
import { createReactor } from "../src/reactor/default.ts";

const reactor = createReactor();

/** Echoes with a prefix, so the test knows the reply came through the server. */
class Upper extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data.toString().toUpperCase());
  }
}

/** Collects what it receives; `received(n)` resolves once `n` bytes came in. */
class Collector extends Protocol {
  #data: Buffer[] = [];
  #waiters: Array<() => void> = [];
  closed: Promise<Failure>;
  #close!: (f: Failure) => void;
  constructor() {
    super();
    this.closed = new Promise((r) => (this.#close = r));
  }
  get text(): string {
    return Buffer.concat(this.#data).toString();
  }
  override dataReceived(data: Buffer): void {
    this.#data.push(data);
    for (const w of this.#waiters.splice(0)) w();
  }
  override connectionLost(reason: Failure): void {
    this.#close(reason);
  }
  async received(n: number): Promise<string> {
    while (Buffer.concat(this.#data).length < n)
      await new Promise<void>((r) => this.#waiters.push(r));
    return this.text;
  }
}

async function roundTrip(
  server: IStreamServerEndpoint,
  client: (port: IListeningPort) => IStreamClientEndpoint,
): Promise<void> {
  const port = await server.listen(Factory.forProtocol(Upper));
  try {
    const proto = await connectProtocol(client(port), new Collector());
    expect(proto).toBeInstanceOf(Collector);
    proto.transport.write("hello");
    expect(await proto.received(5)).toBe("HELLO");
    proto.transport.loseConnection();
    await proto.closed;
  } finally {
    await port.stopListening();
  }
}

const portOf = (p: IListeningPort): number => (p.getHost() as unknown as { port: number }).port;

const hasIPv6Loopback = Object.values(networkInterfaces())
  .flat()
  .some((a) => a?.family === "IPv6" && a.address === "::1");

const tmp = mkdtempSync(join(tmpdir(), "torsion-endpoints-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("endpoints over loopback", () => {
  it("TCP4: server and client endpoints talk", async () => {
    await roundTrip(
      new TCP4ServerEndpoint(reactor, 0, { interface: "127.0.0.1" }),
      (p) => new TCP4ClientEndpoint(reactor, "127.0.0.1", portOf(p)),
    );
  });

  it("TCP4 from description strings", async () => {
    await roundTrip(serverFromString(reactor, "tcp:0:interface=127.0.0.1"), (p) =>
      clientFromString(reactor, `tcp:host=127.0.0.1:port=${portOf(p)}`),
    );
  });

  it("HostnameEndpoint connects to localhost by name", async () => {
    await roundTrip(
      new TCP4ServerEndpoint(reactor, 0, { interface: "127.0.0.1" }),
      (p) => new HostnameEndpoint(reactor, "localhost", portOf(p)),
    );
  });

  it.skipIf(!hasIPv6Loopback)(
    "TCP6: server and client endpoints talk on ::1 (skipped: no IPv6 loopback)",
    async () => {
      await roundTrip(
        serverFromString(reactor, "tcp6:0:interface=\\:\\:1"),
        (p) => new TCP6ClientEndpoint(reactor, "::1", portOf(p)),
      );
      await roundTrip(
        new TCP6ServerEndpoint(reactor, 0, { interface: "::1" }),
        (p) => new HostnameEndpoint(reactor, "::1", portOf(p)),
      );
    },
  );

  it("UNIX: server and client endpoints talk through a socket file", async () => {
    const path = join(tmp, "a.sock");
    await roundTrip(
      new UNIXServerEndpoint(reactor, path),
      () => new UNIXClientEndpoint(reactor, path),
    );
  });

  it("UNIX from description strings, with an escaped path and a lock file", async () => {
    const path = join(tmp, "b:c=d.sock");
    await roundTrip(serverFromString(reactor, `unix:${quoteStringArgument(path)}:mode=600`), () =>
      clientFromString(reactor, `unix:path=${quoteStringArgument(path)}:checkPID=1`),
    );
  });

  it("a refused connection fails with ConnectionRefusedError", async () => {
    const port = await new TCP4ServerEndpoint(reactor, 0, { interface: "127.0.0.1" }).listen(
      new Factory(),
    );
    const free = portOf(port);
    await port.stopListening();
    const attempt = new TCP4ClientEndpoint(reactor, "127.0.0.1", free).connect(
      Factory.forProtocol(Protocol),
    );
    await expect(attempt).rejects.toBeInstanceOf(ConnectionRefusedError);
    await expect(
      connectProtocol(clientFromString(reactor, `tcp:127.0.0.1:${free}`), new Protocol()),
    ).rejects.toBeInstanceOf(ConnectionRefusedError);
  });

  it("a UNIX path nobody listens on fails with a ConnectError", async () => {
    await expect(
      new UNIXClientEndpoint(reactor, join(tmp, "nobody.sock")).connect(
        Factory.forProtocol(Protocol),
      ),
    ).rejects.toBeInstanceOf(ConnectError);
  });

  it("a cancelled attempt fails with ConnectingCancelledError and makes no connection", async () => {
    let built = 0;
    const port = await new TCP4ServerEndpoint(reactor, 0, { interface: "127.0.0.1" }).listen({
      buildProtocol: (): IProtocol => {
        built++;
        return new Protocol();
      },
      doStart() {},
      doStop() {},
    });
    try {
      const d = new TCP4ClientEndpoint(reactor, "127.0.0.1", portOf(port)).connect(
        Factory.forProtocol(Protocol),
      );
      d.cancel();
      await expect(d).rejects.toBeInstanceOf(ConnectingCancelledError);
    } finally {
      await port.stopListening();
    }
    expect(built).toBe(0);
  });

  it("a port in use fails listen with CannotListenError", async () => {
    const port = await new TCP4ServerEndpoint(reactor, 0, { interface: "127.0.0.1" }).listen(
      new Factory(),
    );
    try {
      await expect(
        serverFromString(reactor, `tcp:${portOf(port)}:interface=127.0.0.1`).listen(new Factory()),
      ).rejects.toThrow(`Couldn't listen on 127.0.0.1:${portOf(port)}: Address already in use`);
    } finally {
      await port.stopListening();
    }
  });
});
