/**
 * Socket activation end to end: a listening socket opened by another process (as systemd
 * would) is adopted by its descriptor and serves connections through the Node reactor.
 *
 * The other process is a tiny Node child that listens on 127.0.0.1:0 and sends us the raw
 * handle over IPC, so that this process holds a descriptor of a listening socket that nothing
 * here watches yet: exactly what a socket-activated service inherits.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  AdoptedStreamServerEndpoint,
  ListenFDs,
  systemdEndpoint,
} from "../src/endpoints/systemd.ts";
import { AlreadyListened, CannotListenError } from "../src/errors.ts";
import { Factory } from "../src/protocol/factory.ts";
import { Protocol } from "../src/protocol/protocol.ts";
import { createReactor } from "../src/reactor/default.ts";

const reactor = createReactor();

const child = `
const s = require("node:net").createServer();
s.listen(0, "127.0.0.1", () => process.send({ port: s.address().port }, s._handle));
process.on("message", () => process.exit(0));
`;

/** A descriptor of a listening TCP socket on 127.0.0.1, and its port. */
async function inheritedSocket(): Promise<{
  fd: number;
  port: number;
  handle: { unref?(): void };
}> {
  const proc = spawn(process.execPath, ["-e", child], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const [msg, handle] = (await once(proc, "message")) as [
    { port: number },
    { fd: number; unref?(): void },
  ];
  proc.send("done");
  await once(proc, "exit");
  // The received handle is never started or closed here: the adopted port owns the descriptor.
  handle.unref?.();
  return { fd: handle.fd, port: msg.port, handle };
}

class Hello extends Protocol {
  override connectionMade(): void {
    this.transport.write(`hello from ${this.transport.getHost()}\n`);
    this.transport.loseConnection();
  }
}

describe("adopting an inherited listening socket", () => {
  it("serves connections on the descriptor, once only", async () => {
    const { fd, port } = await inheritedSocket();
    const ep = systemdEndpoint(reactor, "INET", 0, undefined, new ListenFDs([fd]));
    expect(ep).toBeInstanceOf(AdoptedStreamServerEndpoint);
    const listening = await ep.listen(Factory.forProtocol(Hello));
    try {
      expect(listening.getHost()).toMatchObject({ type: "TCP", host: "127.0.0.1", port });
      const socket = net.connect({ host: "127.0.0.1", port });
      let text = "";
      socket.on("data", (d: Buffer) => {
        text += d.toString();
      });
      await once(socket, "close");
      expect(text).toBe(`hello from IPv4Address(TCP, '127.0.0.1', ${port})\n`);
      await expect(ep.listen(new Factory())).rejects.toBeInstanceOf(AlreadyListened);
    } finally {
      await listening.stopListening();
    }
  });

  it("a descriptor that is not a socket fails with CannotListenError", async () => {
    const dir = mkdtempSync(join(tmpdir(), "torsion-adopt-"));
    const fd = openSync(join(dir, "not-a-socket"), "w");
    try {
      const d = new AdoptedStreamServerEndpoint(reactor, fd, "INET").listen(new Factory());
      await expect(d).rejects.toThrow(
        new CannotListenError("", `inherited descriptor ${fd}`, "Invalid argument"),
      );
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
