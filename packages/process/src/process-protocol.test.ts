import { Failure } from "@torsion/core";
import { NotConnectedError } from "@torsion/core/errors";
import { describe, expect, it } from "vitest";
import { ProcessDone } from "./errors.ts";
import type { IProcessTransport } from "./interfaces.ts";
import { ProcessProtocol } from "./process-protocol.ts";

class Calls extends ProcessProtocol {
  calls: string[] = [];
  override connectionMade(): void {
    this.calls.push("connectionMade");
  }
  override outReceived(data: Buffer): void {
    this.calls.push(`out ${data}`);
  }
  override errReceived(data: Buffer): void {
    this.calls.push(`err ${data}`);
  }
  override inConnectionLost(): void {
    this.calls.push("inConnectionLost");
  }
  override outConnectionLost(): void {
    this.calls.push("outConnectionLost");
  }
  override errConnectionLost(): void {
    this.calls.push("errConnectionLost");
  }
}

describe("ProcessProtocol", () => {
  it("sends descriptor 1 to outReceived, 2 to errReceived, and drops the others", () => {
    const p = new Calls();
    p.childDataReceived(1, Buffer.from("a"));
    p.childDataReceived(2, Buffer.from("b"));
    p.childDataReceived(3, Buffer.from("c"));
    expect(p.calls).toEqual(["out a", "err b"]);
  });

  it("sends childConnectionLost 0, 1, 2 to in/out/errConnectionLost", () => {
    const p = new Calls();
    for (const fd of [0, 1, 2, 3]) p.childConnectionLost(fd);
    expect(p.calls).toEqual(["inConnectionLost", "outConnectionLost", "errConnectionLost"]);
  });

  it("makeConnection attaches the process transport and calls connectionMade", () => {
    const p = new Calls();
    expect(() => p.transport).toThrow(NotConnectedError);
    const transport = { pid: 42 } as unknown as IProcessTransport;
    p.makeConnection(transport);
    expect(p.transport).toBe(transport);
    expect(p.connected).toBe(true);
    expect(p.calls).toEqual(["connectionMade"]);
  });

  it("has no-op defaults for everything", () => {
    const p = new ProcessProtocol();
    const reason = new Failure(new ProcessDone());
    expect(() => {
      p.childDataReceived(1, Buffer.from("x"));
      p.childConnectionLost(0);
      p.processExited(reason);
      p.processEnded(reason);
    }).not.toThrow();
  });
});
