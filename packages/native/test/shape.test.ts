/**
 * The native server and socket side by side with node:net: the same errors (code, errno,
 * syscall, message), the same addresses and dual-stack rules.
 */
import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { available, createServer, type NativeServer, type NativeSocket } from "../src/index.ts";

function listening(server: NativeServer | net.Server): Promise<Error | undefined> {
  return new Promise((resolve) => {
    server.once("listening", () => resolve(undefined));
    server.once("error", (e: Error) => resolve(e));
  });
}

function nativeListen(options: Parameters<NativeServer["listen"]>[0]): Promise<NativeServer> {
  const s = createServer();
  s.listen(options);
  return listening(s).then((e) => {
    if (e) throw e;
    return s;
  });
}

const ipv6 = await (async () => {
  const s = net.createServer();
  s.listen(0, "::1");
  const e = await listening(s);
  s.close();
  return e === undefined;
})();

describe.runIf(available)("native server and sockets, next to node:net", () => {
  it("EADDRINUSE has node:net's code, errno, syscall and message", async () => {
    const taken = await nativeListen({ port: 0, host: "127.0.0.1" });
    const port = (taken.address() as net.AddressInfo).port;
    const mine = createServer().listen({ port, host: "127.0.0.1" });
    const theirs = net.createServer().listen({ port, host: "127.0.0.1" });
    const [a, b] = (await Promise.all([
      listening(mine),
      listening(theirs),
    ])) as NodeJS.ErrnoException[];
    expect(a!.message).toBe(b!.message);
    expect([a!.code, a!.errno, a!.syscall]).toEqual([b!.code, b!.errno, b!.syscall]);
    taken.close();
  });

  it("reports addresses as net.Socket does", async () => {
    const server = await nativeListen({ port: 0, host: "127.0.0.1" });
    const port = (server.address() as net.AddressInfo).port;
    const accepted = new Promise<NativeSocket>((r) => server.once("connection", r));
    const client = net.connect(port, "127.0.0.1");
    const socket = await accepted;
    await new Promise((r) => client.once("connect", r));
    expect(socket.address()).toEqual({ address: "127.0.0.1", port, family: "IPv4" });
    expect([socket.remoteAddress, socket.remotePort, socket.remoteFamily]).toEqual([
      "127.0.0.1",
      client.localPort,
      "IPv4",
    ]);
    socket.setNoDelay(true).setKeepAlive(true, 5000);
    client.destroy();
    await new Promise((r) => socket.once("end", r)); // half-open, as allowHalfOpen: true
    socket.destroy();
    await new Promise((r) => socket.once("close", r));
    server.close();
  });

  it.runIf(ipv6)("'::' is dual stack unless ipv6Only, as node:net", async () => {
    const dual = await nativeListen({ port: 0, host: "::" });
    const port = (dual.address() as net.AddressInfo).port;
    const families: string[] = [];
    dual.on("connection", (s: NativeSocket) => {
      families.push(s.remoteFamily!);
      s.destroy();
    });
    for (const host of ["127.0.0.1", "::1"]) {
      const c = net.connect(port, host);
      c.on("error", () => {});
      await new Promise((r) => c.once("close", r));
    }
    expect(families.sort()).toEqual(["IPv6", "IPv6"]); // IPv4 arrives as ::ffff:127.0.0.1
    dual.close();
    const only = await nativeListen({ port: 0, host: "::", ipv6Only: true });
    const c = net.connect((only.address() as net.AddressInfo).port, "127.0.0.1");
    const refused = await new Promise<NodeJS.ErrnoException>((r) => c.once("error", r));
    expect(refused.code).toBe("ECONNREFUSED");
    only.close();
  });

  it("pause stops data until resume; writev of many chunks arrives whole and in order", async () => {
    const server = await nativeListen({ port: 0, host: "127.0.0.1" });
    const accepted = new Promise<NativeSocket>((r) => server.once("connection", r));
    const client = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
    const socket = await accepted;
    let seen = 0;
    socket.on("data", (d: Buffer) => (seen += d.length));
    socket.pause();
    client.write("abc");
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toBe(0);
    socket.resume();
    while (seen < 3) await new Promise((r) => setTimeout(r, 2));
    // 3000 chunks (more than IOV_MAX) of 1 KiB in one corked batch.
    const chunks = Array.from({ length: 3000 }, (_, i) => Buffer.alloc(1024, i % 251));
    let got = Buffer.alloc(0);
    client.on("data", (d) => (got = Buffer.concat([got, d])));
    socket.cork();
    for (const c of chunks) socket.write(c);
    socket.uncork();
    socket.end();
    await new Promise((r) => client.once("end", r));
    expect(got.equals(Buffer.concat(chunks))).toBe(true);
    client.destroy();
    server.close();
  });
});
