/**
 * Twisted's `echo.tac`, the application file `twistd -y echo.tac` runs: an `Application` holding
 * a TCP server service for the echo factory. In Torsion the `.tac` file is a module exporting
 * `application`, and `twist --app` runs it:
 *
 *     pnpm build && pnpm twist --app examples/dist/echo-app/echo-app.js   # from the repository root
 *     nc 127.0.0.1 8000
 *
 * `twist` does the rest: logging, SIGINT/SIGTERM, draining connections, `--pidfile`, `--workers`.
 * Set `ECHO_APP_ENDPOINT` to listen elsewhere (default `tcp:8000:interface=127.0.0.1`).
 *
 * @module
 */
import { Application, service } from "@torsion/application";
import { Factory, Protocol } from "@torsion/core";

/** As soon as any data is received, write it back. */
export class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

/** Where the echo server listens. */
export const endpoint: string = process.env.ECHO_APP_ENDPOINT ?? "tcp:8000:interface=127.0.0.1";

/** What `twist --app` runs (Twisted: `application = service.Application("echo")`). */
export const application: Application = new Application("echo");

// Twisted: `internet.TCPServer(8000, factory).setServiceParent(application)`.
service(endpoint, Factory.forProtocol(Echo)).setServiceParent(application);
