import { connect } from "node:net";
import type { StreamServerEndpointService } from "@torsion/application";
import type { IPv4Address } from "@torsion/core";
import { afterAll, describe, expect, it } from "vitest";

// The module reads its endpoint when imported: listen on a free loopback port for the test.
process.env.ECHO_APP_ENDPOINT = "tcp:0:interface=127.0.0.1";
const { application } = await import("./echo-app.ts");

afterAll(async () => {
  if (application.running) await application.stopService();
});

describe("echo.tac as a module", () => {
  it("exports an Application whose TCP service echoes over loopback", async () => {
    expect(application.name).toBe("echo");
    await application.startService();
    const [server] = [...application] as StreamServerEndpointService[];
    const port = (server!.port!.getHost() as IPv4Address).port;
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => socket.write("hello, tac\r\n"));
      socket.on("data", (d) => {
        resolve(d.toString());
        socket.end();
      });
      socket.on("error", reject);
    });
    expect(reply).toBe("hello, tac\r\n");
    await application.stopService();
    expect(application.running).toBe(false);
  });
});
