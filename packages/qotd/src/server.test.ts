import { DatagramGuard, SMALL_SERVICE_PORTS } from "@torsion/core";
import { Clock, StringDatagramTransport, StringTransport } from "@torsion/core/testing";
import { forEveryChunking } from "@torsion/test-utils";
import { describe, expect, it } from "vitest";
import { FixedQuote, QuoteList } from "./quotes.ts";
import { QOTD, QOTDDatagram } from "./server.ts";

describe("QOTD", () => {
  it("sends Twisted's quote on connect and closes", () => {
    const transport = new StringTransport();
    new QOTD().makeConnection(transport);
    expect(transport.value().toString()).toBe("An apple a day keeps the doctor away.\r\n");
    expect(transport.disconnecting).toBe(true);
  });

  it("ignores whatever the client sends, however chunked", () => {
    forEveryChunking(Buffer.from("GET / HTTP/1.0\r\n\r\n"), (chunks) => {
      const transport = new StringTransport({ lenient: true });
      const proto = new QOTD(new QuoteList(["Hi."]));
      proto.makeConnection(transport);
      for (const c of chunks) proto.dataReceived(c);
      expect(transport.value().toString()).toBe("Hi.\r\n");
    });
  });

  it("gives each connection the source's next quote", () => {
    const source = new QuoteList(["one", "two"]);
    const sent = [1, 2, 3].map(() => {
      const t = new StringTransport();
      new QOTD(source).makeConnection(t);
      return t.value().toString();
    });
    expect(sent).toEqual(["one\r\n", "two\r\n", "one\r\n"]);
  });

  it("getQuote can be overridden", () => {
    class Shout extends QOTD {
      override getQuote(): string {
        return "HELLO\r\n";
      }
    }
    const t = new StringTransport();
    new Shout().makeConnection(t);
    expect(t.value().toString()).toBe("HELLO\r\n");
  });
});

describe("QOTDDatagram", () => {
  it("answers each datagram with the next quote, whatever it holds", () => {
    const transport = new StringDatagramTransport();
    const proto = new QOTDDatagram(new QuoteList(["one", "two"]));
    proto.makeConnection(transport);
    proto.datagramReceived(Buffer.alloc(0), ["10.0.0.2", 5]);
    proto.datagramReceived(Buffer.from("please"), ["10.0.0.3", 6]);
    expect(transport.written.map((w) => [w.data.toString(), w.addr])).toEqual([
      ["one\r\n", ["10.0.0.2", 5]],
      ["two\r\n", ["10.0.0.3", 6]],
    ]);
  });
});

describe("QOTDDatagram's guard", () => {
  it("answers neither source port 0 nor a small service's port, so it cannot loop with echo", () => {
    const proto = new QOTDDatagram(new FixedQuote("Q."));
    const transport = new StringDatagramTransport();
    proto.makeConnection(transport);
    for (const port of SMALL_SERVICE_PORTS)
      proto.datagramReceived(Buffer.alloc(1), ["10.0.0.9", port]);
    expect(transport.written).toEqual([]);
    // RFC 865: the datagram's content is ignored, so an empty one is answered too.
    proto.datagramReceived(Buffer.alloc(0), ["10.0.0.9", 40000]);
    expect(transport.written.map(({ data }) => String(data))).toEqual(["Q.\r\n"]);
  });

  it("limits answers per source host", () => {
    const clock = new Clock();
    const proto = new QOTDDatagram(
      new FixedQuote("Q."),
      new DatagramGuard({ clock, ratePerSource: 1, burstPerSource: 2 }),
    );
    const transport = new StringDatagramTransport();
    proto.makeConnection(transport);
    for (let i = 0; i < 20; i++) proto.datagramReceived(Buffer.alloc(0), ["10.0.0.9", 40000 + i]);
    expect(transport.written.length).toBe(2);
    proto.datagramReceived(Buffer.alloc(0), ["10.0.0.10", 40000]);
    expect(transport.written.length).toBe(3);
  });
});
