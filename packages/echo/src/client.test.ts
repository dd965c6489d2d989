import {
  ConnectionLost,
  ConnectionRefusedError,
  Deferred,
  type Failure,
  fail,
  type IProtocolFactory,
  IPv4Address,
  type IStreamClientEndpoint,
  TimeoutError,
} from "@torsion/core";
import { Clock, StringTransportWithDisconnection } from "@torsion/core/testing";
import { forEveryChunking } from "@torsion/test-utils";
import { describe, expect, it } from "vitest";
import { EchoClient, echo } from "./client.ts";

function connected(message: string): {
  client: EchoClient;
  transport: StringTransportWithDisconnection;
} {
  const client = new EchoClient(message);
  const transport = new StringTransportWithDisconnection({ protocol: client });
  client.makeConnection(transport);
  return { client, transport };
}

/** An endpoint that connects a protocol to a StringTransport at once, or never. */
class FakeEndpoint implements IStreamClientEndpoint {
  transport: StringTransportWithDisconnection | undefined;
  pending: Deferred<never> | undefined;
  constructor(readonly mode: "connect" | "hang" | "refuse") {}
  connect(factory: IProtocolFactory): Deferred<never> {
    if (this.mode === "refuse") return fail(new ConnectionRefusedError("refused"));
    if (this.mode === "hang") return (this.pending = new Deferred<never>());
    const proto = factory.buildProtocol(new IPv4Address("TCP", "10.0.0.1", 7))!;
    this.transport = new StringTransportWithDisconnection({ protocol: proto });
    proto.makeConnection(this.transport);
    const d = new Deferred<never>();
    d.callback(proto as never);
    return d;
  }
}

describe("EchoClient", () => {
  it("sends the message and fires with the echo, whatever the chunking, then closes", () => {
    const message = "hello, echo\r\n";
    forEveryChunking(Buffer.from(message), (chunks) => {
      const { client, transport } = connected(message);
      expect(transport.value().toString()).toBe(message);
      let result: Buffer | undefined;
      client.deferred.addCallback((b) => {
        result = b;
      });
      for (const chunk of chunks) client.dataReceived(chunk);
      expect(result?.toString()).toBe(message);
      expect(transport.disconnecting).toBe(true);
    });
  });

  it("fires with exactly as many bytes as were sent, ignoring extra", () => {
    const { client } = connected("abc");
    let result: Buffer | undefined;
    client.deferred.addCallback((b) => {
      result = b;
    });
    client.dataReceived(Buffer.from("abcdef"));
    expect(result).toEqual(Buffer.from("abc"));
    client.dataReceived(Buffer.from("more"));
    expect(result).toEqual(Buffer.from("abc"));
  });

  it("fails with ConnectionLost saying how much came back when the server closes early", () => {
    const { client, transport } = connected("abcdef");
    let failure: Failure | undefined;
    client.deferred.addErrback((f) => {
      failure = f;
    });
    client.dataReceived(Buffer.from("ab"));
    transport.loseConnection();
    expect(failure?.check(ConnectionLost)).toBeTruthy();
    expect(failure?.getErrorMessage()).toContain("after 2 of 6 bytes");
  });

  it("fires at once for an empty message", () => {
    const { client, transport } = connected("");
    let result: Buffer | undefined;
    client.deferred.addCallback((b) => {
      result = b;
    });
    expect(result).toEqual(Buffer.alloc(0));
    expect(transport.disconnecting).toBe(true);
  });
});

describe("echo()", () => {
  it("connects, sends, and fires with the echoed bytes", () => {
    const endpoint = new FakeEndpoint("connect");
    let result: Buffer | undefined;
    echo(endpoint, "ping", { clock: new Clock() }).addCallback((b) => {
      result = b;
    });
    expect(endpoint.transport!.value().toString()).toBe("ping");
    const proto = endpoint.transport!.protocol!;
    proto.dataReceived(Buffer.from("ping"));
    expect(result?.toString()).toBe("ping");
  });

  it("fails with the endpoint's error", () => {
    let failure: Failure | undefined;
    echo(new FakeEndpoint("refuse"), "ping", { clock: new Clock() }).addErrback((f) => {
      failure = f;
    });
    expect(failure?.check(ConnectionRefusedError)).toBeTruthy();
  });

  it("times out on the given clock while connecting, cancelling the attempt", () => {
    const clock = new Clock();
    const endpoint = new FakeEndpoint("hang");
    let failure: Failure | undefined;
    echo(endpoint, "ping", { clock, timeout: 5 }).addErrback((f) => {
      failure = f;
    });
    clock.advance(4.9);
    expect(failure).toBeUndefined();
    clock.advance(0.1);
    expect(failure?.check(TimeoutError)).toBeTruthy();
    expect(endpoint.pending!.called).toBe(true);
  });

  it("times out when no echo comes back, aborting the connection", () => {
    const clock = new Clock();
    const endpoint = new FakeEndpoint("connect");
    let failure: Failure | undefined;
    echo(endpoint, "ping", { clock, timeout: 5 }).addErrback((f) => {
      failure = f;
    });
    clock.advance(5);
    expect(failure?.check(TimeoutError)).toBeTruthy();
    expect(endpoint.transport!.aborted).toBe(true);
    expect(clock.getDelayedCalls()).toEqual([]);
  });
});
