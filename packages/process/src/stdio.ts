/**
 * {@link StandardIO}: any stream protocol over this process's stdin and stdout (Twisted's
 * `twisted.internet.stdio.StandardIO`).
 *
 * @module
 */
import type { Readable, Writable } from "node:stream";
import {
  ConnectionDone,
  ConnectionLost,
  Failure,
  type IAddress,
  type IConsumer,
  type IHalfCloseableProtocol,
  type IProtocol,
  type IPullProducer,
  type IPushProducer,
  type ITransport,
  Logger,
} from "@torsion/core";
import { PipeAddress } from "@torsion/core/endpoints";
import { WritableConsumer } from "./consumer.ts";

const log = new Logger("torsion.stdio");

/** Options for {@link StandardIO}. */
export interface StandardIOOptions {
  /** Where input comes from; default `process.stdin`. */
  stdin?: Readable;
  /** Where output goes; default `process.stdout`. */
  stdout?: Writable;
}

function isHalfCloseable(p: unknown): p is IHalfCloseableProtocol {
  return typeof (p as Partial<IHalfCloseableProtocol>).readConnectionLost === "function";
}

/**
 * Connects `protocol` to this process's stdin and stdout, as if they were a connection:
 * what arrives on stdin goes to `dataReceived`, what the protocol writes goes to stdout.
 * `protocol.makeConnection(this)` is called from the constructor (an exception from
 * `connectionMade` is logged and closes the connection, as one from `dataReceived` does).
 *
 * End of input (stdin closed, or Ctrl-D on a terminal) ends the connection cleanly:
 * `connectionLost` with `ConnectionDone`, after everything written was handed to stdout.
 * A protocol that implements `IHalfCloseableProtocol` gets `readConnectionLost()` instead and
 * may keep writing until it calls `loseConnection()`. `loseConnection()` stops reading stdin
 * (without closing it), waits for stdout to flush, then calls `connectionLost(ConnectionDone)`;
 * this process's own stdout is left open (Node does not let a program close it), an injected
 * stream is ended. A broken stdout (the reader went away) ends it with `ConnectionLost`.
 *
 * Also an {@link IConsumer} for stdout (a registered producer is throttled by stdout's buffer)
 * and an {@link IPushProducer} for stdin.
 *
 * ```ts
 * class Upper extends LineReceiver {
 *   override lineReceived(line: Buffer): void { this.sendLine(line.toString().toUpperCase()); }
 * }
 * new StandardIO(new Upper());
 * ```
 */
export class StandardIO implements ITransport, IConsumer, IPushProducer {
  /** `true` once `loseConnection()` was called. */
  disconnecting = false;
  /** `true` once `connectionLost` was called. */
  disconnected = false;
  readonly #protocol: IProtocol;
  readonly #stdin: Readable;
  readonly #stdout: Writable;
  readonly #writer: WritableConsumer;
  readonly #ownStdout: boolean;
  readonly #listeners: Array<[Readable | Writable, string, (...args: never[]) => void]> = [];

  constructor(protocol: IProtocol, options: StandardIOOptions = {}) {
    this.#protocol = protocol;
    this.#stdin = options.stdin ?? process.stdin;
    this.#stdout = options.stdout ?? process.stdout;
    this.#ownStdout = this.#stdout === process.stdout;
    this.#writer = new WritableConsumer(this.#stdout, (what, err) => this.#logError(what, err));
    this.#listen(this.#stdin, "data", (data: Buffer | string) => this.#dataReceived(data));
    this.#listen(this.#stdin, "end", () => this.#readConnectionLost());
    this.#listen(this.#stdin, "error", (err: Error) => this.#lost(err));
    this.#listen(this.#stdout, "error", (err: Error) => this.#lost(err));
    try {
      protocol.makeConnection(this);
    } catch (err) {
      this.#logError("connectionMade", err);
      this.loseConnection();
    }
  }

  /** Write to stdout (strings as UTF-8). Ignored once the connection is closing. */
  write(data: string | Uint8Array): void {
    if (!this.disconnecting && !this.disconnected) this.#writer.write(data);
  }

  /** Write several chunks to stdout. */
  writeSequence(data: ReadonlyArray<string | Uint8Array>): void {
    for (const chunk of data) this.write(chunk);
  }

  /** Stop reading stdin, flush stdout, then call `connectionLost(ConnectionDone)`. */
  loseConnection(): void {
    if (this.disconnecting || this.disconnected) return;
    this.disconnecting = true;
    this.#stdin.pause();
    this.#flushThen(() => this.#connectionLost(new Failure(new ConnectionDone())));
  }

  /** Alias of {@link StandardIO.loseConnection}: stdout is all there is to close. */
  loseWriteConnection(): void {
    this.loseConnection();
  }

  /** A {@link PipeAddress}. */
  getPeer(): IAddress {
    return new PipeAddress();
  }

  /** A {@link PipeAddress}. */
  getHost(): IAddress {
    return new PipeAddress();
  }

  /** Register a producer for stdout; see {@link IConsumer.registerProducer}. */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.disconnected) producer.stopProducing();
    else this.#writer.register(producer, streaming);
  }

  /** Forget the producer registered for stdout. */
  unregisterProducer(): void {
    this.#writer.unregister();
  }

  /** Stop reading stdin until {@link StandardIO.resumeProducing}. */
  pauseProducing(): void {
    if (!this.disconnected) this.#stdin.pause();
  }

  /** Read stdin again. */
  resumeProducing(): void {
    if (!this.disconnected && !this.disconnecting) this.#stdin.resume();
  }

  /** Same as {@link StandardIO.loseConnection}. */
  stopProducing(): void {
    this.loseConnection();
  }

  // --- internals ------------------------------------------------------------------------------

  #listen(stream: Readable | Writable, event: string, fn: (...args: never[]) => void): void {
    stream.on(event, fn as (...args: unknown[]) => void);
    this.#listeners.push([stream, event, fn]);
  }

  #dataReceived(data: Buffer | string): void {
    if (this.disconnecting || this.disconnected) return;
    try {
      this.#protocol.dataReceived(typeof data === "string" ? Buffer.from(data) : data);
    } catch (err) {
      this.#logError("dataReceived", err);
      this.loseConnection();
    }
  }

  #readConnectionLost(): void {
    if (this.disconnected) return;
    const p = this.#protocol;
    if (!this.disconnecting && isHalfCloseable(p)) {
      try {
        p.readConnectionLost();
      } catch (err) {
        this.#logError("readConnectionLost", err);
        this.#connectionLost(Failure.from(err));
      }
      return;
    }
    // Not half-closeable: end of input ends the connection, once our output is flushed.
    this.disconnecting = true;
    this.#flushThen(() => this.#connectionLost(new Failure(new ConnectionDone())));
  }

  #lost(err: Error): void {
    this.#connectionLost(new Failure(new ConnectionLost(err.message, { cause: err })));
  }

  /** Call `then` once everything written so far has been handed to stdout. */
  #flushThen(then: () => void): void {
    if (!this.#writer.writable) {
      then();
    } else if (this.#ownStdout) {
      // process.stdout cannot be closed; an empty write's callback runs once earlier writes are flushed.
      this.#stdout.write("", () => then());
    } else {
      this.#stdout.end(() => then());
    }
  }

  #connectionLost(reason: Failure): void {
    if (this.disconnected) return;
    this.disconnected = true;
    this.disconnecting = true;
    this.#writer.closed();
    for (const [stream, event, fn] of this.#listeners)
      stream.off(event, fn as (...args: unknown[]) => void);
    // Stop reading so that stdin no longer keeps the process alive; it is not closed.
    this.#stdin.pause();
    // Keep a listener so a late stream error is not an uncaught exception.
    this.#stdin.on("error", noop);
    this.#stdout.on("error", noop);
    try {
      this.#protocol.connectionLost(reason);
    } catch (err) {
      this.#logError("connectionLost", err);
    }
  }

  #logError(what: string, err: unknown): void {
    log.failure(`Unhandled error in ${what} of {protocol} on standard I/O`, Failure.from(err), {
      protocol: this.#protocol.constructor.name,
    });
  }
}

function noop(): void {}
