/**
 * Setup shared by the protocol packages' loopback tests: servers on 127.0.0.1 port 0 that are
 * stopped after each test, one UDP request, and a stand-in for a command's stdout or stderr.
 *
 * @module
 */
import * as dgram from "node:dgram";
import {
  createReactor,
  type IDatagramProtocol,
  type IListeningPort,
  type IProtocolFactory,
  type IPv4Address,
  type IPv6Address,
  type IReactor,
} from "@torsion/core";
import { afterEach } from "vitest";

/** A bound UDP port: its host is an IP address, so `getHost().port` is its number. */
export interface UDPPort extends IListeningPort {
  getHost(): IPv4Address | IPv6Address;
  /** Datagrams the port dropped because the protocol was not keeping up (a reactor detail). */
  readonly droppedDatagrams: number;
}

/** What {@link useLoopback} gives a test file. */
export interface Loopback {
  /** The real reactor the ports listen with (also for the test's clients). */
  readonly reactor: IReactor;
  /** Listen on 127.0.0.1, port 0, with `factory`; resolves with the port number. */
  listenTCP(factory: IProtocolFactory, options?: { backlog?: number }): Promise<number>;
  /** Bind `protocol` on 127.0.0.1, port 0; resolves with the port (its number: `getHost().port`). */
  listenUDP(protocol: IDatagramProtocol): Promise<UDPPort>;
  /** Stop the port opened last, now: its number then has nothing listening (for refusals). */
  stopLast(): Promise<void>;
}

/**
 * Listen on loopback in tests: every port opened through the result is stopped after each test
 * (with vitest's `afterEach`, so call this at a test file's top level or in a `describe`).
 *
 * ```ts
 * const { reactor, listenTCP } = useLoopback();
 * const port = await listenTCP(Factory.forProtocol(Echo));
 * ```
 */
export function useLoopback(reactor: IReactor = createReactor()): Loopback {
  const open: IListeningPort[] = [];
  afterEach(async () => {
    for (const p of open.splice(0)) await p.stopListening();
  });
  return {
    reactor,
    async listenTCP(factory, options = {}) {
      const port = await reactor.listenTCP(0, factory, {
        interface: "127.0.0.1",
        backlog: options.backlog,
      });
      open.push(port);
      return (port.getHost() as unknown as { port: number }).port;
    },
    async listenUDP(protocol) {
      const port = (await reactor.listenUDP(0, protocol, { interface: "127.0.0.1" })) as UDPPort;
      open.push(port);
      return port;
    },
    async stopLast() {
      const port = open.pop();
      if (port === undefined) throw new Error("stopLast: no port is open");
      await port.stopListening();
    },
  };
}

/**
 * Send `payload` in one datagram from a fresh socket to 127.0.0.1:`port`; resolves with the
 * first datagram that comes back (it waits for one: use it where a reply is due).
 */
export async function askUDP(port: number, payload: string | Uint8Array): Promise<Buffer> {
  const socket = dgram.createSocket("udp4");
  const reply = new Promise<Buffer>((r) => socket.once("message", r));
  socket.send(payload, port, "127.0.0.1");
  try {
    return await reply;
  } finally {
    socket.close();
  }
}

/** A stand-in for `process.stdout` or `process.stderr` that keeps what is written. */
export interface CapturedOutput {
  write(text: string): boolean;
  /** Everything written so far. */
  text(): string;
}

/** A {@link CapturedOutput}, for a command's `io.stdout` or `io.stderr`. */
export function captureOutput(): CapturedOutput {
  let out = "";
  return {
    text: () => out,
    write: (text: string) => {
      out += text;
      return true;
    },
  };
}
