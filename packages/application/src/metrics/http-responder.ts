/**
 * A small HTTP/1.1 responder over a Torsion protocol for `/metrics`, `/healthz` and `/readyz`.
 *
 * Why not `node:http`: this way the metrics listener is an ordinary Torsion endpoint
 * (`tcp:9464:interface=127.0.0.1`, `unix:/run/metrics.sock`, `systemd:`…), its timeouts run on
 * the injected reactor, and there is one socket stack to reason about. Scrapers and health
 * checkers send one small GET; each connection gets one answer and is closed
 * (`Connection: close`), which Prometheus, HAProxy and curl all accept.
 *
 * @module
 */
import {
  Factory,
  type IAddress,
  type IDelayedCall,
  type IReactorTime,
  Logger,
  Protocol,
} from "@torsion/core";

const log = new Logger("torsion.application.metrics");

/** A response: status, content type and body. */
export interface HTTPResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Answers a request for `path` (no query string); may be async. */
export type HTTPRoute = () => HTTPResponse | Promise<HTTPResponse>;

const REASONS: Readonly<Record<number, string>> = {
  200: "OK",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Longest request head accepted. */
const MAX_HEAD = 8192;
/** Seconds a client may take to send its request. */
const REQUEST_TIMEOUT = 10;

const text = (status: number, body: string): HTTPResponse => ({
  status,
  contentType: "text/plain; charset=utf-8",
  body,
});

/** One connection: read one request head, answer it, close. */
class HTTPResponderProtocol extends Protocol {
  readonly #routes: ReadonlyMap<string, HTTPRoute>;
  readonly #clock: IReactorTime;
  #head = Buffer.alloc(0);
  #answered = false;
  #timer: IDelayedCall | null = null;

  constructor(routes: ReadonlyMap<string, HTTPRoute>, clock: IReactorTime) {
    super();
    this.#routes = routes;
    this.#clock = clock;
  }

  override connectionMade(): void {
    this.#timer = this.#clock.callLater(REQUEST_TIMEOUT, () => {
      this.#timer = null;
      this.transport.loseConnection();
    });
  }

  override dataReceived(data: Buffer): void {
    if (this.#answered) return;
    this.#head = Buffer.concat([this.#head, data]);
    const end = this.#head.indexOf("\r\n\r\n");
    if (end === -1) {
      if (this.#head.length > MAX_HEAD) this.#respond(false, text(431, "request too large\n"));
      return;
    }
    const requestLine = this.#head.subarray(0, this.#head.indexOf("\r\n")).toString("latin1");
    const match = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine);
    if (match === null) {
      this.#respond(false, text(400, "bad request\n"));
      return;
    }
    const [, method, target] = match as unknown as [string, string, string];
    const head = method === "HEAD";
    if (method !== "GET" && !head) {
      this.#respond(false, text(405, "only GET and HEAD\n"));
      return;
    }
    const route = this.#routes.get(target.split("?")[0] as string);
    if (route === undefined) {
      this.#respond(head, text(404, "not found: try /metrics, /healthz or /readyz\n"));
      return;
    }
    this.#answered = true;
    Promise.resolve()
      .then(route)
      .then(
        (response) => this.#respond(head, response),
        (error: unknown) => {
          log.error("Metrics route {path} failed: {error}", { path: target, error: String(error) });
          this.#respond(head, text(500, "internal error\n"));
        },
      );
  }

  override connectionLost(): void {
    this.connected = false;
    if (this.#timer?.active()) this.#timer.cancel();
    this.#timer = null;
  }

  #respond(headOnly: boolean, response: HTTPResponse): void {
    this.#answered = true;
    if (!this.connected) return;
    const body = Buffer.from(response.body, "utf8");
    const status = response.status;
    this.transport.write(
      `HTTP/1.1 ${status} ${REASONS[status] ?? "Unknown"}\r\n` +
        `Content-Type: ${response.contentType}\r\n` +
        `Content-Length: ${body.length}\r\n` +
        "Cache-Control: no-store\r\n" +
        "Connection: close\r\n\r\n",
    );
    if (!headOnly) this.transport.write(body);
    this.transport.loseConnection();
  }
}

/** Builds a {@link HTTPResponderProtocol} per connection, answering `routes` by path. */
export class HTTPResponderFactory extends Factory {
  readonly #routes: ReadonlyMap<string, HTTPRoute>;
  readonly #clock: IReactorTime;

  constructor(routes: ReadonlyMap<string, HTTPRoute>, clock: IReactorTime) {
    super();
    this.#routes = routes;
    this.#clock = clock;
    this.noisy = false;
  }

  override buildProtocol(_addr: IAddress): HTTPResponderProtocol {
    return new HTTPResponderProtocol(this.#routes, this.#clock);
  }
}

export { text as textResponse };
