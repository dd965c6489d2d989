import { describe, expect, it } from "vitest";
import { EndpointDescriptionError } from "../errors.ts";
import type { IStreamClientEndpoint, IStreamServerEndpoint } from "../interfaces.ts";
import { MemoryReactor } from "../testing/memory-reactor.ts";
import { HostnameEndpoint } from "./hostname.ts";
import {
  clientFromString,
  parseDescription,
  quoteStringArgument,
  serverFromString,
} from "./parse.ts";
import { registerClientEndpointParser, registerServerEndpointParser } from "./registry.ts";
import { TCP4ClientEndpoint, TCP4ServerEndpoint, TCP6ServerEndpoint } from "./tcp.ts";
import { SSL4ClientEndpoint, SSL4ServerEndpoint } from "./tls.ts";
import { UNIXClientEndpoint, UNIXServerEndpoint } from "./unix.ts";

const reactor = new MemoryReactor();

function server<T>(description: string, cls: new (...args: never[]) => T): T {
  const ep: IStreamServerEndpoint = serverFromString(reactor, description);
  expect(ep).toBeInstanceOf(cls);
  return ep as T;
}

function client<T>(description: string, cls: new (...args: never[]) => T): T {
  const ep: IStreamClientEndpoint = clientFromString(reactor, description);
  expect(ep).toBeInstanceOf(cls);
  return ep as T;
}

function descriptionError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EndpointDescriptionError);
    return (e as Error).message;
  }
  throw new Error("expected an EndpointDescriptionError");
}

describe("parseDescription", () => {
  it("splits positional and keyword arguments", () => {
    expect(parseDescription("a:b:d=1:c")).toEqual({
      type: "a",
      args: ["b", "c"],
      kwargs: { d: "1" },
    });
  });

  it("unescapes backslashed colons, equals signs and backslashes", () => {
    expect(parseDescription("unix:foo\\:bar\\=baz\\:qux\\\\")).toEqual({
      type: "unix",
      args: ["foo:bar=baz:qux\\"],
      kwargs: {},
    });
  });

  it("reads every '=' after the first as part of the value", () => {
    expect(parseDescription("unix:address=foo=bar").kwargs).toEqual({ address: "foo=bar" });
  });

  it("keeps empty arguments", () => {
    expect(parseDescription("tcp:")).toEqual({ type: "tcp", args: [""], kwargs: {} });
  });

  it("rejects a trailing backslash and a repeated key, naming the description", () => {
    expect(descriptionError(() => parseDescription("tcp:80\\"))).toBe(
      'Trailing backslash in "tcp:80\\\\"',
    );
    expect(descriptionError(() => parseDescription("tcp:port=1:port=2"))).toBe(
      `Key 'port' given twice in "tcp:port=1:port=2"`,
    );
  });

  it("treats __proto__ as an ordinary key", () => {
    expect(Object.keys(parseDescription("x:__proto__=1").kwargs)).toEqual(["__proto__"]);
  });
});

describe("quoteStringArgument", () => {
  it("escapes backslashes, colons and equals signs", () => {
    expect(quoteStringArgument("some : stuff \\ a=b")).toBe("some \\: stuff \\\\ a\\=b");
  });

  it("round-trips through the parser, positionally and as a value", () => {
    const nasty = "C:\\dir=x\\:y:";
    expect(parseDescription(`unix:${quoteStringArgument(nasty)}`).args).toEqual([nasty]);
    expect(parseDescription(`unix:address=${quoteStringArgument(nasty)}`).kwargs.address).toBe(
      nasty,
    );
  });
});

describe("serverFromString", () => {
  it("tcp: port positional, defaults to all interfaces and backlog 511", () => {
    const ep = server("tcp:8007", TCP4ServerEndpoint);
    expect([ep.reactor, ep.port, ep.interface, ep.backlog]).toEqual([reactor, 8007, "", 511]);
  });

  it("tcp: every key", () => {
    const ep = server("tcp:port=1234:backlog=12:interface=10.0.0.1", TCP4ServerEndpoint);
    expect([ep.port, ep.interface, ep.backlog]).toEqual([1234, "10.0.0.1", 12]);
  });

  it("tcp: positional order is port, interface, backlog", () => {
    const ep = server("tcp:80:127.0.0.1:7", TCP4ServerEndpoint);
    expect([ep.port, ep.interface, ep.backlog]).toEqual([80, "127.0.0.1", 7]);
  });

  it("types are case-insensitive", () => {
    expect(server("TCP:80", TCP4ServerEndpoint).port).toBe(80);
  });

  it("tcp6: defaults to interface ::, accepts an escaped address", () => {
    const ep = server("tcp6:8007", TCP6ServerEndpoint);
    expect([ep.port, ep.interface, ep.backlog]).toEqual([8007, "::", 511]);
    const ep2 = server("tcp6:port=80:interface=\\:\\:1:backlog=3", TCP6ServerEndpoint);
    expect([ep2.port, ep2.interface, ep2.backlog]).toEqual([80, "::1", 3]);
  });

  it("unix: path positional, defaults mode 0o666, backlog 511, lockfile on", () => {
    const ep = server("unix:/var/run/finger", UNIXServerEndpoint);
    expect([ep.address, ep.mode, ep.backlog, ep.wantPID]).toEqual([
      "/var/run/finger",
      0o666,
      511,
      true,
    ]);
  });

  it("unix: every key; mode is octal", () => {
    const ep = server(
      "unix:address=/var/foo/bar:backlog=7:mode=0123:lockfile=0",
      UNIXServerEndpoint,
    );
    expect([ep.address, ep.mode, ep.backlog, ep.wantPID]).toEqual([
      "/var/foo/bar",
      0o123,
      7,
      false,
    ]);
    expect(server("unix:/s:mode=660", UNIXServerEndpoint).mode).toBe(0o660);
  });

  it("ssl: defaults privateKey to server.pem, interface to all, backlog 511; files are not read yet", () => {
    const ep = server("ssl:4321", SSL4ServerEndpoint);
    expect([ep.port, ep.interface, ep.backlog]).toEqual([4321, "", 511]);
    expect(() => (ep.tlsOptions as () => unknown)()).toThrow(
      "can't read the privateKey file 'server.pem': no such file",
    );
  });

  it("ssl: every key, with escaped Windows-style paths", () => {
    const ep = server(
      "ssl:443:privateKey=C\\:/key.pem:certKey=C\\:/cert.pem:extraCertChain=chain.pem:dhParameters=dh.pem:sslmethod=TLSv1_2_METHOD:interface=10.0.0.1:backlog=12",
      SSL4ServerEndpoint,
    );
    expect([ep.port, ep.interface, ep.backlog]).toEqual([443, "10.0.0.1", 12]);
    expect(() => (ep.tlsOptions as () => unknown)()).toThrow("'C:/key.pem'");
  });

  it("systemd: is parsed (its descriptors are tested in systemd.test.ts)", () => {
    expect(
      descriptionError(() => serverFromString(reactor, "systemd:domain=INET:index=0")),
    ).toMatch(
      /^No inherited descriptor at index 0 \(LISTEN_FDS is 0\) in "systemd:domain=INET:index=0"$/,
    );
  });

  it.each([
    ["foo:123", `Unknown endpoint type: 'foo' in "foo:123"`],
    ["", `Unknown endpoint type: '' in ""`],
    ["port=80", `Missing endpoint type in "port=80"`],
    ["tcp:http", `Invalid port 'http' (expected an integer from 0 to 65535) in "tcp:http"`],
    ["tcp:", `Missing port in "tcp:"`],
    ["tcp:65536", `Invalid port '65536' (expected an integer from 0 to 65535) in "tcp:65536"`],
    ["tcp:interface=127.0.0.1", `Missing port in "tcp:interface=127.0.0.1"`],
    [
      "tcp:80:bogus=1",
      `Unknown key 'bogus' for a tcp server endpoint (expected port, interface, backlog) in "tcp:80:bogus=1"`,
    ],
    [
      "tcp:80:backlog=many",
      `Invalid backlog 'many' (expected a non-negative integer) in "tcp:80:backlog=many"`,
    ],
    ["tcp:80:port=81", `Argument 'port' given both by position and by name in "tcp:80:port=81"`],
    [
      "tcp:80:a:1:x",
      `Too many positional arguments for a tcp server endpoint: 4 given, at most 3 (port, interface, backlog) in "tcp:80:a:1:x"`,
    ],
    [
      "unix:/s:mode=999",
      `Invalid mode '999' (expected an octal number such as 666) in "unix:/s:mode=999"`,
    ],
    ["unix:/s:lockfile=yes", `Invalid lockfile 'yes' (expected 0 or 1) in "unix:/s:lockfile=yes"`],
    ["ssl:443:sslmethod=SSLv2_METHOD", `Unknown sslmethod 'SSLv2_METHOD'`],
  ])("%j fails with a message naming it", (description, message) => {
    expect(descriptionError(() => serverFromString(reactor, description))).toContain(message);
  });
});

describe("clientFromString", () => {
  it("tcp: every key", () => {
    const ep = client(
      "tcp:host=example.com:port=1234:timeout=7:bindAddress=10.0.0.2",
      TCP4ClientEndpoint,
    );
    expect([ep.reactor, ep.host, ep.port, ep.timeout, ep.bindAddress]).toEqual([
      reactor,
      "example.com",
      1234,
      7,
      "10.0.0.2",
    ]);
  });

  it("tcp: defaults to timeout 30 and no bind address", () => {
    const ep = client("tcp:host=example.com:port=1234", TCP4ClientEndpoint);
    expect([ep.timeout, ep.bindAddress]).toEqual([30, undefined]);
  });

  it.each([
    ["tcp:example.com:1234"],
    ["tcp:example.com:port=1234"],
    ["tcp:host=example.com:1234"],
    ["tcp:port=1234:example.com"],
  ])("tcp: host and port may be positional (%s)", (description) => {
    const ep = client(description, TCP4ClientEndpoint);
    expect([ep.host, ep.port]).toEqual(["example.com", 1234]);
  });

  it("unix: every key; lockfile and checkPID both mean checkPID", () => {
    const ep = client("unix:path=/var/foo/bar:lockfile=1:timeout=9", UNIXClientEndpoint);
    expect([ep.path, ep.timeout, ep.checkPID]).toEqual(["/var/foo/bar", 9, true]);
    expect(client("unix:/var/foo/bar:checkPID=1", UNIXClientEndpoint).checkPID).toBe(true);
  });

  it("unix: path positional, defaults timeout 30 and no pid check", () => {
    const ep = client("unix:/var/foo/bar", UNIXClientEndpoint);
    expect([ep.path, ep.timeout, ep.checkPID]).toEqual(["/var/foo/bar", 30, false]);
  });

  it("ssl: host, port, timeout, bindAddress; TLS files read at connect time", () => {
    const ep = client(
      "ssl:example.net:4321:timeout=3:bindAddress=10.0.0.3:caCertsDir=/nonexistent",
      SSL4ClientEndpoint,
    );
    expect([ep.host, ep.port, ep.timeout, ep.bindAddress]).toEqual([
      "example.net",
      4321,
      3,
      "10.0.0.3",
    ]);
    expect(() => (ep.tlsOptions as () => unknown)()).toThrow("'/nonexistent'");
  });

  it("ssl: hostname sets the name verified and sent as SNI", () => {
    const ep = client("ssl:10.0.0.1:443:hostname=example.net", SSL4ClientEndpoint);
    expect((ep.tlsOptions as () => unknown)()).toEqual({ servername: "example.net" });
  });

  it("tls: host and port (positional or keyword), timeout 30 by default, SNI is the host", () => {
    const ep = client("tls:example.com:443", SSL4ClientEndpoint);
    expect([ep.host, ep.port, ep.timeout, ep.bindAddress]).toEqual([
      "example.com",
      443,
      30,
      undefined,
    ]);
    expect((ep.tlsOptions as () => unknown)()).toEqual({ servername: "example.com" });
    const ep2 = client(
      "tls:host=example.com:port=443:timeout=5:bindAddress=10.0.0.2",
      SSL4ClientEndpoint,
    );
    expect([ep2.timeout, ep2.bindAddress]).toEqual([5, "10.0.0.2"]);
  });

  it("tls: endpoint= wraps another client endpoint (escaped)", () => {
    const ep = clientFromString(reactor, "tls:example.com:443:endpoint=tcp\\:10.0.0.5\\:8443");
    expect(ep).not.toBeInstanceOf(SSL4ClientEndpoint);
    expect(typeof ep.connect).toBe("function");
  });

  it.each([
    [
      "ftl:andromeda/carcosa/hali/2387",
      `Unknown endpoint type: 'ftl' in "ftl:andromeda/carcosa/hali/2387"`,
    ],
    ["tcp:example.com", `Missing port in "tcp:example.com"`],
    ["tcp:example.com:http", `Invalid port 'http'`],
    ["tcp:h:1:timeout=soon", `Invalid timeout 'soon' (expected a number of seconds)`],
    [
      "tcp:h:1:x",
      `Too many positional arguments for a tcp client endpoint: 3 given, at most 2 (host, port)`,
    ],
    ["tcp:h:1:interface=x", `Unknown key 'interface' for a tcp client endpoint`],
    ["unix:", `Missing path`],
    ["unix:/s:lockfile=1:checkPID=1", `Give lockfile or checkPID, not both`],
    ["tls:example.com", `Missing port`],
    ["tls:example.com:443:caCertsDir=x", `Unknown key 'caCertsDir' for a tls client endpoint`],
    ["tls:example.com:443:privateKey=k.pem", `PrivateKey needs certificate`],
    ["tls:example.com:443:endpoint=bogus\\:1", `Unknown endpoint type: 'bogus' in "bogus:1"`],
  ])("%j fails with a message naming it", (description, message) => {
    const text = descriptionError(() => clientFromString(reactor, description));
    expect(text).toContain(message);
    expect(text.endsWith(`in ${JSON.stringify(description)}`)).toBe(true);
  });
});

describe("the registry", () => {
  it("adds server and client types that get the reactor and the unescaped arguments", () => {
    const seen: unknown[] = [];
    const made = new TCP4ServerEndpoint(reactor, 1);
    const madeClient = new HostnameEndpoint(reactor, "h", 1);
    const offServer = registerServerEndpointParser("Fake", (r, args, kwargs) => {
      seen.push([r, args, { ...kwargs }]);
      return made;
    });
    const offClient = registerClientEndpointParser("crfake", (r, args, kwargs) => {
      seen.push([r, args, { ...kwargs }]);
      return madeClient;
    });
    try {
      expect(serverFromString(reactor, "fake:hello:wor\\:ld:yes=no:up=down")).toBe(made);
      expect(clientFromString(reactor, "CRFAKE:alpha:beta:cee=dee:num=1")).toBe(madeClient);
      expect(seen).toEqual([
        [reactor, ["hello", "wor:ld"], { yes: "no", up: "down" }],
        [reactor, ["alpha", "beta"], { cee: "dee", num: "1" }],
      ]);
    } finally {
      offServer();
      offClient();
    }
    expect(descriptionError(() => serverFromString(reactor, "fake:1"))).toBe(
      `Unknown endpoint type: 'fake' in "fake:1"`,
    );
  });

  it("refuses a name that is taken, or not a name", () => {
    expect(() =>
      registerServerEndpointParser("tcp", () => new TCP4ServerEndpoint(reactor, 1)),
    ).toThrow("A server endpoint type 'tcp' is already registered");
    expect(() =>
      registerClientEndpointParser("a:b", () => new HostnameEndpoint(reactor, "h", 1)),
    ).toThrow(EndpointDescriptionError);
  });

  it("wraps what a parser throws in an EndpointDescriptionError naming the description", () => {
    const off = registerServerEndpointParser("grumpy", () => {
      throw new RangeError("no thanks");
    });
    try {
      const err = (() => {
        try {
          serverFromString(reactor, "grumpy:1");
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err).toBeInstanceOf(EndpointDescriptionError);
      expect(err?.message).toBe(`No thanks in "grumpy:1"`);
      expect(err?.cause).toBeInstanceOf(RangeError);
    } finally {
      off();
    }
  });
});
