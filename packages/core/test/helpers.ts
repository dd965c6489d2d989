/**
 * Helpers for the loopback integration tests: a recording protocol, a client connector that
 * resolves once connected, and a log capture.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterEach } from "vitest";
import type {
  Failure,
  IConnector,
  IListeningPort,
  IProtocol,
  IProtocolFactory,
  ITCPTransport,
  LogEvent,
} from "../src/index.ts";
import { ClientFactory, Factory, Protocol } from "../src/index.ts";
import { globalLogPublisher } from "../src/logger.ts";

import type { NodeReactor } from "../src/reactor/node-reactor.ts";

/** A promise with the functions that settle it. */
export interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

/** A promise with its resolve/reject (Node 20 has no Promise.withResolvers). */
export function defer<T>(): Resolvers<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Records everything: received bytes, when it connected, why it lost the connection. */
export class Recorder extends Protocol {
  chunks: Buffer[] = [];
  #made = defer<void>();
  #lost = defer<Failure>();
  #waiters: Array<{ n: number; resolve: () => void }> = [];
  /** Resolves once connectionMade ran. */
  readonly made: Promise<void> = this.#made.promise;
  /** Resolves with the reason once connectionLost ran. */
  readonly lost: Promise<Failure> = this.#lost.promise;

  override connectionMade(): void {
    this.#made.resolve();
  }
  override dataReceived(data: Buffer): void {
    this.chunks.push(data);
    const total = this.received.length;
    this.#waiters = this.#waiters.filter((w) => {
      if (total >= w.n) w.resolve();
      return total < w.n;
    });
  }
  override connectionLost(reason: Failure): void {
    this.#lost.resolve(reason);
  }
  /** Everything received so far. */
  get received(): Buffer {
    return Buffer.concat(this.chunks);
  }
  /** Resolves once at least `n` bytes have arrived. */
  receivedAtLeast(n: number): Promise<void> {
    if (this.received.length >= n) return Promise.resolve();
    const d = defer<void>();
    this.#waiters.push({ n, resolve: d.resolve });
    return d.promise;
  }
  get tcp(): ITCPTransport {
    return this.transport as ITCPTransport;
  }
}

/** Writes back every byte it receives. */
export class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

/** A client factory handing out one given protocol and recording failures. */
export class OneShotFactory<P extends IProtocol> extends ClientFactory {
  readonly failed: Resolvers<Failure> = defer<Failure>();
  readonly lostConnection: Resolvers<Failure> = defer<Failure>();
  started = 0;
  constructor(readonly proto: P) {
    super();
  }
  override buildProtocol(): P {
    return this.proto;
  }
  override startedConnecting(_c: IConnector): void {
    this.started++;
  }
  override clientConnectionFailed(_c: IConnector, reason: Failure): void {
    this.failed.resolve(reason);
  }
  override clientConnectionLost(_c: IConnector, reason: Failure): void {
    this.lostConnection.resolve(reason);
  }
}

/** Connect `proto` to 127.0.0.1:`port`; resolves once its connectionMade ran. */
export async function connectTo<P extends Recorder>(
  reactor: NodeReactor,
  port: number,
  proto: P,
  host = "127.0.0.1",
): Promise<P> {
  const factory = new OneShotFactory(proto);
  reactor.connectTCP(host, port, factory);
  const failed = factory.failed.promise.then((f) => {
    throw f.value;
  });
  await Promise.race([proto.made, failed]);
  return proto;
}

/** A factory that builds `P` and remembers every protocol it built, in order. */
export class RememberingFactory<P extends IProtocol> extends Factory {
  readonly built: P[] = [];
  readonly #next: Array<(p: P) => void> = [];
  constructor(readonly make: () => P) {
    super();
    this.noisy = false;
  }
  override buildProtocol(): P {
    const p = this.make();
    (p as { factory?: unknown }).factory = this;
    this.built.push(p);
    this.#next.shift()?.(p);
    return p;
  }
  /** Resolves with the next protocol built from now on. */
  nextProtocol(): Promise<P> {
    const d = defer<P>();
    this.#next.push(d.resolve);
    return d.promise;
  }
  /** Resolves with the `index`-th protocol built: at once if it exists, else when it is built. */
  async protocolAt(index = 0): Promise<P> {
    while (this.built.length <= index) await this.nextProtocol();
    return this.built[index]!;
  }
}

/** Collect log events while `fn` runs (the returned array keeps filling until `stop()`). */
export function captureLogs(): { events: LogEvent[]; stop: () => void } {
  const events: LogEvent[] = [];
  const observer = (e: LogEvent): void => {
    events.push(e);
  };
  globalLogPublisher.addObserver(observer);
  return { events, stop: () => globalLogPublisher.removeObserver(observer) };
}

/** Let the event loop run `turns` times (setImmediate), for negative checks. */
export async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

/** The port number of a listening port. */
export function portOf(p: { getHost(): unknown }): number {
  return (p.getHost() as { port: number }).port;
}

/**
 * A `listen(reactor, factory, iface = "127.0.0.1")` that listens on port 0 of a loopback
 * interface and resolves with the port number. Call once at the top of a test file: every port
 * it opened is stopped after each test.
 */
export function useLoopbackPorts(): (
  reactor: NodeReactor,
  factory: IProtocolFactory,
  iface?: string,
) => Promise<number> {
  const ports: IListeningPort[] = [];
  afterEach(async () => {
    for (const p of ports.splice(0)) await p.stopListening();
  });
  return async (reactor, factory, iface = "127.0.0.1") => {
    const port = await reactor.listenTCP(0, factory, { interface: iface });
    ports.push(port);
    return portOf(port);
  };
}

/** Whether the `openssl` command is installed (the TLS tests skip without it). */
export function hasOpenSSL(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Write a self-signed RSA certificate for `localhost` and 127.0.0.1 into `dir` (valid 2 days);
 * returns the paths of its key and certificate. Needs `openssl` ({@link hasOpenSSL}).
 */
export function writeSelfSignedCertificate(dir: string): { key: string; cert: string } {
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  return { key, cert };
}
