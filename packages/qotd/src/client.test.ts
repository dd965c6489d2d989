import {
  ConnectionLost,
  Deferred,
  type Failure,
  type IProtocolFactory,
  IPv4Address,
  type IStreamClientEndpoint,
  TimeoutError,
} from "@torsion/core";
import { Clock, StringTransportWithDisconnection } from "@torsion/core/testing";
import { forEveryChunking } from "@torsion/test-utils";
import { describe, expect, it } from "vitest";
import { getQuote, QOTDClient } from "./client.ts";
import { QuoteTooLongError } from "./quotes.ts";

function connected(maxLength?: number): {
  client: QOTDClient;
  transport: StringTransportWithDisconnection;
} {
  const client = new QOTDClient(maxLength);
  const transport = new StringTransportWithDisconnection({ protocol: client });
  client.makeConnection(transport);
  return { client, transport };
}

class FakeEndpoint implements IStreamClientEndpoint {
  transport: StringTransportWithDisconnection | undefined;
  connect(factory: IProtocolFactory): Deferred<never> {
    const proto = factory.buildProtocol(new IPv4Address("TCP", "10.0.0.1", 17))!;
    this.transport = new StringTransportWithDisconnection({ protocol: proto });
    proto.makeConnection(this.transport);
    const d = new Deferred<never>();
    d.callback(proto as never);
    return d;
  }
}

describe("QOTDClient", () => {
  it("fires with everything sent before a clean close, whatever the chunking", () => {
    const quote = "Two lines\r\nof wisdom \u00e9\r\n";
    forEveryChunking(Buffer.from(quote), (chunks) => {
      const { client, transport } = connected();
      let result: string | undefined;
      client.deferred.addCallback((q) => {
        result = q;
      });
      for (const c of chunks) client.dataReceived(c);
      expect(result).toBeUndefined();
      transport.loseConnection();
      expect(result).toBe(quote);
    });
  });

  it("fails with the reason when the connection is lost uncleanly", () => {
    const { client, transport } = connected();
    let failure: Failure | undefined;
    client.deferred.addErrback((f) => {
      failure = f;
    });
    client.dataReceived(Buffer.from("half a qu"));
    transport.abortConnection();
    expect(failure?.check(ConnectionLost)).toBeTruthy();
  });

  it("gives up with QuoteTooLongError and aborts when the server sends too much", () => {
    const { client, transport } = connected(10);
    let failure: Failure | undefined;
    client.deferred.addErrback((f) => {
      failure = f;
    });
    client.dataReceived(Buffer.from("0123456789"));
    expect(failure).toBeUndefined();
    client.dataReceived(Buffer.from("!"));
    expect(failure?.check(QuoteTooLongError)).toBeTruthy();
    expect(transport.aborted).toBe(true);
  });
});

describe("getQuote()", () => {
  it("fires with the quote once the server closes", () => {
    const endpoint = new FakeEndpoint();
    let result: string | undefined;
    getQuote(endpoint, { clock: new Clock() }).addCallback((q) => {
      result = q;
    });
    endpoint.transport!.protocol!.dataReceived(Buffer.from("Hi.\r\n"));
    endpoint.transport!.loseConnection();
    expect(result).toBe("Hi.\r\n");
  });

  it("times out on the given clock when the server never closes, aborting", () => {
    const clock = new Clock();
    const endpoint = new FakeEndpoint();
    let failure: Failure | undefined;
    getQuote(endpoint, { clock, timeout: 3 }).addErrback((f) => {
      failure = f;
    });
    endpoint.transport!.protocol!.dataReceived(Buffer.from("Hi.\r\n"));
    clock.advance(3);
    expect(failure?.check(TimeoutError)).toBeTruthy();
    expect(endpoint.transport!.aborted).toBe(true);
  });
});
