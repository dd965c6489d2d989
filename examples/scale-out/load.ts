/**
 * A load generator for the scale-out tests and bench: `lanes` concurrent loops of short
 * request/response connections (connect, send, read the whole answer, close), counted as the
 * client sees them.
 *
 * @module
 */
import net from "node:net";

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** Where to connect; with several ports, lane `i` uses `ports[i % n]`. */
  port: number | readonly number[];
  host?: string;
  /** Local address to bind (`127.0.0.2`), so the server can tell the client from the balancer. */
  localAddress?: string;
  /** Concurrent lanes; default 50. */
  lanes?: number;
  /** Run this long (ms)… */
  durationMs?: number;
  /** …or this many requests per lane. */
  requestsPerLane?: number;
  /** Request size in bytes; default 64. */
  size?: number;
  /** A request that has not completed after this long fails (ms); default 10 s. */
  requestTimeoutMs?: number;
  /** Start each connection with a PROXY v1 header, as a balancer would (for direct runs against a `haproxy:` endpoint). */
  proxyHeader?: boolean;
}

/** What the client saw. */
export interface LoadResult {
  sent: number;
  completed: number;
  failed: number;
  /** Failures by kind: `ECONNREFUSED`, `ECONNRESET`, `short answer`, `wrong answer`, `timeout`. */
  failures: Record<string, number>;
  bytesSent: number;
  bytesReceived: number;
  elapsedMs: number;
}

function oneRequest(
  o: Required<Pick<LoadOptions, "host" | "size" | "requestTimeoutMs">> & LoadOptions,
  port: number,
  payload: Buffer,
): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let got = 0;
    let outcome: string | null | undefined;
    const socket = net.connect({ port, host: o.host, localAddress: o.localAddress });
    socket.setTimeout(o.requestTimeoutMs, () => {
      outcome ??= "timeout";
      socket.destroy();
    });
    socket.on("connect", () => {
      // One write: a header sent on its own would wait on the server's delayed ACK (Nagle).
      const header = o.proxyHeader
        ? `PROXY TCP4 ${socket.localAddress} ${socket.remoteAddress} ${socket.localPort} ${socket.remotePort}\r\n`
        : "";
      socket.write(
        header === "" ? payload : Buffer.concat([Buffer.from(header, "latin1"), payload]),
      );
    });
    socket.on("data", (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      if (got >= payload.length && outcome === undefined) {
        outcome = Buffer.concat(chunks).equals(payload) ? null : "wrong answer";
        socket.end();
      }
    });
    socket.on("error", (e: NodeJS.ErrnoException) => {
      outcome ??= e.code ?? e.message;
    });
    socket.on("close", () => resolve(outcome === undefined ? "short answer" : outcome));
  });
}

/** Run the load; resolves once every lane finished. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const o = { host: "127.0.0.1", size: 64, requestTimeoutMs: 10_000, ...options };
  const lanes = options.lanes ?? 50;
  const result: LoadResult = {
    sent: 0,
    completed: 0,
    failed: 0,
    failures: {},
    bytesSent: 0,
    bytesReceived: 0,
    elapsedMs: 0,
  };
  const start = Date.now();
  const deadline =
    options.durationMs === undefined ? Number.POSITIVE_INFINITY : start + options.durationMs;
  const perLane = options.requestsPerLane ?? Number.POSITIVE_INFINITY;
  if (!Number.isFinite(deadline) && !Number.isFinite(perLane))
    throw new Error("give durationMs or requestsPerLane");
  const ports = typeof options.port === "number" ? [options.port] : options.port;
  const lane = async (index: number) => {
    const port = ports[index % ports.length] as number;
    for (let i = 0; i < perLane && Date.now() < deadline; i++) {
      const payload = Buffer.alloc(o.size, `lane ${index} request ${i} `);
      result.sent++;
      result.bytesSent += payload.length;
      const failure = await oneRequest(o, port, payload);
      if (failure === null) {
        result.completed++;
        result.bytesReceived += payload.length;
      } else {
        result.failed++;
        result.failures[failure] = (result.failures[failure] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
  result.elapsedMs = Date.now() - start;
  return result;
}
