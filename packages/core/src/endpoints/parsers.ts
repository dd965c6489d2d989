/**
 * The built-in endpoint types of description strings, with Twisted's parameters, positional
 * order and defaults (`_parseTCP`, `_TCP6ServerParser`, `_parseUNIX`, `_parseSSL`,
 * `_SystemdParser`, `_parseClientTCP`, `_parseClientUNIX`, `_parseClientSSL`, `_parseClientTLS`).
 *
 * @module
 * @internal
 */
import { isIP } from "node:net";
import { haproxyServerParser } from "../haproxy/endpoint.ts";
import type { IStreamClientEndpoint, IStreamServerEndpoint } from "../interfaces.ts";
import {
  bindArguments,
  required,
  toFlag,
  toInteger,
  toMode,
  toPort,
  toSeconds,
} from "./arguments.ts";
import { clientFromString } from "./parse.ts";
import type {
  ClientEndpointParser,
  EndpointKeywords,
  EndpointReactor,
  ServerEndpointParser,
} from "./registry.ts";
import { systemdEndpoint } from "./systemd.ts";
import { TCP4ClientEndpoint, TCP4ServerEndpoint, TCP6ServerEndpoint } from "./tcp.ts";
import { SSL4ClientEndpoint, SSL4ServerEndpoint, wrapClientTLS } from "./tls.ts";
import { loadClientTLSFiles, loadServerTLSFiles, tlsVersionsForMethod } from "./tls-files.ts";
import { UNIXClientEndpoint, UNIXServerEndpoint } from "./unix.ts";

function tcpServer(
  reactor: EndpointReactor,
  args: readonly string[],
  kwargs: EndpointKeywords,
): IStreamServerEndpoint {
  const a = bindArguments("a tcp server endpoint", ["port", "interface", "backlog"], args, kwargs);
  return new TCP4ServerEndpoint(reactor, toPort(required("port", a.port)), {
    interface: a.interface ?? "",
    backlog: toInteger("backlog", a.backlog ?? "511"),
  });
}

function tcp6Server(
  reactor: EndpointReactor,
  args: readonly string[],
  kwargs: EndpointKeywords,
): IStreamServerEndpoint {
  // Twisted's _TCP6ServerParser takes backlog before interface.
  const a = bindArguments("a tcp6 server endpoint", ["port", "backlog", "interface"], args, kwargs);
  return new TCP6ServerEndpoint(reactor, toPort(required("port", a.port)), {
    interface: a.interface ?? "::",
    backlog: toInteger("backlog", a.backlog ?? "511"),
  });
}

function unixServer(
  reactor: EndpointReactor,
  args: readonly string[],
  kwargs: EndpointKeywords,
): IStreamServerEndpoint {
  const a = bindArguments(
    "a unix server endpoint",
    ["address", "mode", "backlog", "lockfile"],
    args,
    kwargs,
  );
  return new UNIXServerEndpoint(reactor, required("address", a.address), {
    mode: toMode(a.mode ?? "666"),
    backlog: toInteger("backlog", a.backlog ?? "511"),
    wantPID: toFlag("lockfile", a.lockfile ?? "1"),
  });
}

const sslServerParameters = [
  "port",
  "privateKey",
  "certKey",
  "sslmethod",
  "interface",
  "backlog",
  "extraCertChain",
  "dhParameters",
  "handshakeTimeout",
];

function sslServer(
  reactor: EndpointReactor,
  args: readonly string[],
  kwargs: EndpointKeywords,
): IStreamServerEndpoint {
  const a = bindArguments("an ssl server endpoint", sslServerParameters, args, kwargs);
  if (a.sslmethod !== undefined) tlsVersionsForMethod(a.sslmethod); // reject a bad name now, not at listen
  const files = {
    privateKey: a.privateKey ?? "server.pem",
    ...(a.certKey !== undefined && { certKey: a.certKey }),
    ...(a.extraCertChain !== undefined && { extraCertChain: a.extraCertChain }),
    ...(a.dhParameters !== undefined && { dhParameters: a.dhParameters }),
    ...(a.sslmethod !== undefined && { sslmethod: a.sslmethod }),
    ...(a.handshakeTimeout !== undefined && {
      handshakeTimeout: toSeconds("handshakeTimeout", a.handshakeTimeout),
    }),
  };
  return new SSL4ServerEndpoint(
    reactor,
    toPort(required("port", a.port)),
    () => loadServerTLSFiles(files),
    {
      interface: a.interface ?? "",
      backlog: toInteger("backlog", a.backlog ?? "511"),
    },
  );
}

function systemdServer(
  reactor: EndpointReactor,
  args: readonly string[],
  kwargs: EndpointKeywords,
): IStreamServerEndpoint {
  const a = bindArguments("a systemd server endpoint", ["domain", "index", "name"], args, kwargs);
  const index = a.index === undefined ? undefined : toInteger("index", a.index);
  return systemdEndpoint(reactor, required("domain", a.domain), index, a.name);
}

/** Built-in server endpoint types, by lower-case name. */
export const builtinServerParsers: Readonly<Record<string, ServerEndpointParser>> = {
  tcp: tcpServer,
  tcp6: tcp6Server,
  unix: unixServer,
  ssl: sslServer,
  systemd: systemdServer,
  haproxy: haproxyServerParser,
};

/**
 * Twisted's `_parseClientTCP` positional rules: two positional arguments are host and port;
 * one is the port if `host=` was given, else the host.
 */
function tcpClientArguments(
  what: string,
  extra: readonly string[],
  args: readonly string[],
  kwargs: EndpointKeywords,
) {
  if (args.length > 2)
    throw new Error(
      `Too many positional arguments for ${what}: ${args.length} given, at most 2 (host, port)`,
    );
  const order =
    args.length === 1 && kwargs.host !== undefined ? ["port", "host"] : ["host", "port"];
  const bound = bindArguments(what, [...order, "timeout", "bindAddress", ...extra], args, kwargs);
  return {
    bound,
    host: required("host", bound.host),
    port: toPort(required("port", bound.port)),
    timeout: toSeconds("timeout", bound.timeout ?? "30"),
    ...(bound.bindAddress !== undefined && { bindAddress: bound.bindAddress }),
  };
}

function tcpClient(
  reactor: EndpointReactor,
  args: readonly string[],
  kwargs: EndpointKeywords,
): IStreamClientEndpoint {
  const {
    host,
    port,
    bound: _,
    ...options
  } = tcpClientArguments("a tcp client endpoint", [], args, kwargs);
  return new TCP4ClientEndpoint(reactor, host, port, options);
}

function unixClient(
  reactor: EndpointReactor,
  args: readonly string[],
  kwargs: EndpointKeywords,
): IStreamClientEndpoint {
  const a = bindArguments(
    "a unix client endpoint",
    ["path", "timeout", "lockfile", "checkPID"],
    args,
    kwargs,
  );
  if (a.lockfile !== undefined && a.checkPID !== undefined)
    throw new Error("Give lockfile or checkPID, not both");
  const lock = a.lockfile ?? a.checkPID;
  return new UNIXClientEndpoint(reactor, required("path", a.path), {
    timeout: toSeconds("timeout", a.timeout ?? "30"),
    checkPID:
      lock === undefined ? false : toFlag(a.lockfile !== undefined ? "lockfile" : "checkPID", lock),
  });
}

function sslClient(
  reactor: EndpointReactor,
  args: readonly string[],
  kwargs: EndpointKeywords,
): IStreamClientEndpoint {
  const extra = ["certKey", "privateKey", "caCertsDir", "hostname"];
  const { host, port, bound, ...options } = tcpClientArguments(
    "an ssl client endpoint",
    extra,
    args,
    kwargs,
  );
  const files = {
    ...(bound.certKey !== undefined && {
      certificate: bound.certKey,
      privateKey: bound.privateKey ?? bound.certKey,
    }),
    ...(bound.caCertsDir !== undefined && { trustRoots: bound.caCertsDir }),
    ...(bound.hostname !== undefined && { hostname: bound.hostname }),
  };
  return new SSL4ClientEndpoint(reactor, host, port, () => loadClientTLSFiles(files), options);
}

const tlsClientParameters = [
  "host",
  "port",
  "timeout",
  "bindAddress",
  "certificate",
  "privateKey",
  "trustRoots",
  "endpoint",
];

function tlsClient(
  reactor: EndpointReactor,
  args: readonly string[],
  kwargs: EndpointKeywords,
): IStreamClientEndpoint {
  const a = bindArguments("a tls client endpoint", tlsClientParameters, args, kwargs);
  const host = required("host", a.host);
  const port = toPort(required("port", a.port));
  const timeout = toSeconds("timeout", a.timeout ?? "30");
  const files = {
    ...(a.certificate !== undefined && { certificate: a.certificate }),
    ...(a.privateKey !== undefined && { privateKey: a.privateKey }),
    ...(a.trustRoots !== undefined && { trustRoots: a.trustRoots }),
    // SNI takes names only; an IP literal is still verified against the certificate.
    ...(isIP(host) === 0 && { hostname: host }),
  };
  if (a.privateKey !== undefined && a.certificate === undefined)
    throw new Error("privateKey needs certificate");
  const tls = () => loadClientTLSFiles(files);
  if (a.endpoint !== undefined) return wrapClientTLS(tls, clientFromString(reactor, a.endpoint));
  return new SSL4ClientEndpoint(reactor, host, port, tls, {
    timeout,
    ...(a.bindAddress !== undefined && { bindAddress: a.bindAddress }),
  });
}

/** Built-in client endpoint types, by lower-case name. */
export const builtinClientParsers: Readonly<Record<string, ClientEndpointParser>> = {
  tcp: tcpClient,
  unix: unixClient,
  ssl: sslClient,
  tls: tlsClient,
};
