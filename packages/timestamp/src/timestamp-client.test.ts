import { ConnectionLost, type Failure } from "@torsion/core";
import { Clock, StringTransportWithDisconnection } from "@torsion/core/testing";
import { forEveryChunking } from "@torsion/test-utils";
import { describe, expect, it } from "vitest";
import { Timestamp } from "./timestamp.ts";
import { TimestampClient } from "./timestamp-client.ts";

function connected(): { client: TimestampClient; transport: StringTransportWithDisconnection } {
  const client = new TimestampClient();
  const transport = new StringTransportWithDisconnection({ protocol: client });
  client.makeConnection(transport);
  return { client, transport };
}

describe("TimestampClient", () => {
  it("sends without a newline and fires with the whole reply, whatever the chunking", () => {
    const reply = Buffer.from("[Tue Apr 18 23:53:09 2006] Where is hope");
    forEveryChunking(reply, (chunks) => {
      const { client, transport } = connected();
      let got: Buffer | undefined;
      client.send("Where is hope").addCallback((r) => {
        got = r;
      });
      expect(transport.value().toString()).toBe("Where is hope");
      for (const [i, c] of chunks.entries()) {
        expect(got).toBeUndefined();
        client.dataReceived(c);
        if (i < chunks.length - 1) expect(got).toBeUndefined();
      }
      expect(got).toEqual(reply);
    });
  });

  it("talks to the Timestamp server through an in-memory pair", () => {
    const clock = new Clock();
    const server = new Timestamp({ clock, timeZone: "UTC" });
    const { client, transport } = connected();
    const serverTransport = new StringTransportWithDisconnection({ protocol: server });
    server.makeConnection(serverTransport);
    let got = "";
    client.send("hi").addCallback((r) => {
      got = r.toString();
    });
    server.dataReceived(transport.value());
    client.dataReceived(serverTransport.value());
    expect(got).toBe("[Thu Jan  1 00:00:00 1970] hi");
  });

  it("refuses a second send while a reply is awaited; hands unexpected bytes to extraReceived", () => {
    const { client } = connected();
    const extra: string[] = [];
    client.extraReceived = (d) => extra.push(d.toString());
    client.dataReceived(Buffer.from("unasked"));
    expect(extra).toEqual(["unasked"]);
    client.send("a");
    let failure: Failure | undefined;
    client.send("b").addErrback((f) => {
      failure = f;
    });
    expect(failure?.getErrorMessage()).toContain("still waiting");
  });

  it("fails the awaited reply with ConnectionLost and reports the close", () => {
    const { client, transport } = connected();
    let failure: Failure | undefined;
    client.send("a").addErrback((f) => {
      failure = f;
    });
    let closed = false;
    client.closed.addCallback(() => {
      closed = true;
    });
    transport.loseConnection();
    expect(failure?.check(ConnectionLost)).toBeTruthy();
    expect(closed).toBe(true);
    expect(client.closeReason?.getErrorMessage()).toBe("Bye.");
    let late: Failure | undefined;
    client.send("b").addErrback((f) => {
      late = f;
    });
    expect(late?.check(ConnectionLost)).toBeTruthy();
  });
});
