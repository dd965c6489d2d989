// The small public helpers around addresses, errors and log prefixes, through the root export
// (and the errors subpath for the rarer classes).
import { describe, expect, expectTypeOf, it } from "vitest";
import { PipeAddress } from "../src/endpoints.ts";
import { DNSLookupError, NoProtocol, QueueOverflow } from "../src/errors.ts";
import {
  CancelledError,
  ConnectError,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  Factory,
  type IAddress,
  IPv4Address,
  IPv6Address,
  isIPAddress,
  logPrefixOf,
  Protocol,
  TimeoutError,
  TorsionError,
  UNIXAddress,
} from "../src/index.ts";
import { StringTransport } from "../src/testing.ts";

describe("IAddress is a union told apart by type", () => {
  it("narrows on type: TCP/UDP give host and port, UNIX gives name", () => {
    const describeAddress = (a: IAddress): string => {
      if (a.type === "TCP" || a.type === "UDP") return `${a.host}:${a.port}`;
      if (a.type === "UNIX") return `unix ${a.name}`;
      return a.type;
    };
    expect(describeAddress(new IPv4Address("TCP", "127.0.0.1", 8007))).toBe("127.0.0.1:8007");
    expect(describeAddress(new IPv6Address("UDP", "::1", 53))).toBe("::1:53");
    expect(describeAddress(new UNIXAddress("/tmp/s"))).toBe("unix /tmp/s");
    expect(describeAddress(new PipeAddress())).toBe("PIPE");
    expect(describeAddress({ type: "PROCESS" })).toBe("PROCESS");
  });

  it("isIPAddress is true for TCP and UDP, v4 and v6, and narrows to them", () => {
    const all: IAddress[] = [
      new IPv4Address("TCP", "127.0.0.1", 1),
      new IPv6Address("TCP", "::1", 2),
      new IPv4Address("UDP", "127.0.0.1", 3),
      new UNIXAddress(null),
      new PipeAddress(),
    ];
    expect(all.map(isIPAddress)).toEqual([true, true, true, false, false]);
    const a: IAddress = all[0] as IAddress;
    if (isIPAddress(a)) expectTypeOf(a.port).toEqualTypeOf<number>();
    expectTypeOf(a).not.toHaveProperty("port");
  });

  it("a transport's getPeer() narrows without a cast", () => {
    const t = new StringTransport({ peerAddress: new IPv4Address("TCP", "192.0.2.7", 4242) });
    const peer = t.getPeer();
    expect(peer.type === "TCP" ? peer.port : -1).toBe(4242);
  });
});

describe("TorsionError default messages are class data", () => {
  it("a subclass without a constructor uses its static defaultMessage", () => {
    expect(new CancelledError().message).toBe("Deferred was cancelled");
    expect(new ConnectionDone().message).toBe("Connection was closed cleanly.");
    expect(new ConnectionRefusedError().message).toBe("Connection was refused by other side.");
    expect(new DNSLookupError().message).toBe("DNS lookup failed.");
    expect(new QueueOverflow().message).toBe("The queue is full.");
    expect(new TimeoutError().message).toBe("User timeout caused connection failure.");
    expect(NoProtocol.defaultMessage).toBe(new NoProtocol().message);
  });

  it("a given message and cause win; name is the subclass's", () => {
    const cause = new Error("ECONNREFUSED");
    const e = new ConnectionRefusedError("refused by 192.0.2.1", { cause });
    expect(e.message).toBe("refused by 192.0.2.1");
    expect(e.cause).toBe(cause);
    expect(e.name).toBe("ConnectionRefusedError");
    expect(e).toBeInstanceOf(ConnectError);
    expect(new ConnectionLost("").message).toBe("");
  });

  it("a user's subclass declares its default the same way", () => {
    class QuotaExceeded extends TorsionError {
      static override readonly defaultMessage: string = "Quota exceeded.";
    }
    expect(new QuotaExceeded().message).toBe("Quota exceeded.");
    expect(new QuotaExceeded().name).toBe("QuotaExceeded");
    expect(new TorsionError().message).toBe("");
  });
});

describe("logPrefixOf", () => {
  it("uses logPrefix() when there is one, else the fallback, else the class name", () => {
    class Named extends Protocol {
      override logPrefix(): string {
        return "Named,7";
      }
    }
    class Plain {}
    expect(logPrefixOf(new Named())).toBe("Named,7");
    expect(logPrefixOf(new Plain())).toBe("Plain");
    expect(logPrefixOf(new Plain(), "fallback")).toBe("fallback");
    expect(logPrefixOf(new Named(), "fallback")).toBe("Named,7");
    expect(logPrefixOf(new Factory())).toBe("Factory");
  });
});
