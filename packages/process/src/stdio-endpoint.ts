/**
 * {@link StandardIOEndpoint} and the `stdio:` server description (Twisted's
 * `endpoints.StandardIOEndpoint` and its `stdio:` string parser): serve one connection on this
 * process's standard input and output, as under inetd, `socat EXEC:` or systemd's
 * `Accept=yes`.
 *
 * It lives here, beside {@link StandardIO}, because `@torsion/core` does not depend on this
 * package; {@link registerStandardIOEndpoint} adds `stdio:` to core's description registry
 * (`twist` calls it at start-up).
 *
 * @module
 */
import { type Readable, Writable } from "node:stream";
import {
  Deferred,
  type Failure,
  fail,
  type IAddress,
  type IHalfCloseableProtocol,
  type IListeningPort,
  type IProtocol,
  type IProtocolFactory,
  type IReactorCore,
  type IStreamServerEndpoint,
  type ITransport,
  Logger,
  logPrefixOf,
  succeed,
} from "@torsion/core";
import {
  bindArguments,
  type EndpointReactor,
  PipeAddress,
  registerServerEndpointParser,
} from "@torsion/core/endpoints";
import { NoProtocol } from "@torsion/core/errors";
import { StandardIO } from "./stdio.ts";

const log = new Logger("torsion.stdio");

/** Options for {@link StandardIOEndpoint}. */
export interface StandardIOEndpointOptions {
  /** Where input comes from; default `process.stdin`. */
  stdin?: Readable;
  /**
   * Where output goes; default this process's standard output, written through
   * `Writable.prototype.write` so that a log redirect of `process.stdout.write` (`twist`
   * turns stdout into log events) does not capture the connection's bytes: Twisted's
   * `StandardIO` writes to file descriptor 1 itself for the same reason.
   */
  stdout?: Writable;
  /**
   * Stop `reactor` once the connection has ended, so that the process exits (one process per
   * connection, as inetd runs it). Default `false` for the class (as Twisted's), `true` for
   * the `stdio:` description.
   */
  stopReactorWhenDone?: boolean;
}

/**
 * A server endpoint whose single connection is this process's standard input and output
 * (Twisted's `StandardIOEndpoint`). `listen(factory)` builds one protocol for a
 * {@link PipeAddress} and connects it with {@link StandardIO}; it fires with a port whose
 * `stopListening()` closes that connection (after flushing output) and fires once it is lost.
 * The factory is started on `listen` and stopped when the connection ends.
 *
 * ```ts
 * await new StandardIOEndpoint(reactor, { stopReactorWhenDone: true }).listen(Factory.forProtocol(Echo));
 * ```
 */
export class StandardIOEndpoint implements IStreamServerEndpoint {
  readonly #reactor: Partial<IReactorCore>;
  readonly #options: StandardIOEndpointOptions;
  #listened = false;

  constructor(reactor: Partial<IReactorCore>, options: StandardIOEndpointOptions = {}) {
    this.#reactor = reactor;
    this.#options = options;
  }

  /** Connect a protocol from `factory` to stdin/stdout. Fails with `NoProtocol` if it refuses. */
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    if (this.#listened)
      return fail(new Error("standard I/O carries one connection: listen was already called"));
    this.#listened = true;
    factory.doStart();
    let protocol: IProtocol | null;
    try {
      protocol = factory.buildProtocol(new PipeAddress());
    } catch (err) {
      factory.doStop();
      return fail(err);
    }
    if (protocol === null) {
      factory.doStop();
      return fail(new NoProtocol());
    }
    const port = new StandardIOPort();
    const watched = watchEnd(protocol, (reason) => {
      factory.doStop();
      port.ended(reason);
      if (this.#options.stopReactorWhenDone && !port.stopping) this.#stopReactor();
    });
    port.transport = new StandardIO(watched, {
      stdin: this.#options.stdin ?? process.stdin,
      stdout: this.#options.stdout ?? realStandardOutput(),
    });
    return succeed<IListeningPort>(port);
  }

  #stopReactor(): void {
    const reactor = this.#reactor;
    if (typeof reactor.stop !== "function" || reactor.running === false) return;
    try {
      reactor.stop();
    } catch (err) {
      // Already stopping (a signal arrived as standard input closed): nothing more to do.
      log.debug("reactor not stopped after the standard I/O connection ended: {err}", { err });
    }
  }
}

/** The "port" of a {@link StandardIOEndpoint}: its one connection. */
class StandardIOPort implements IListeningPort {
  transport: ITransport | undefined;
  stopping = false;
  #lost = false;
  readonly #whenLost: Deferred<void>[] = [];

  getHost(): IAddress {
    return new PipeAddress();
  }

  /** Close the connection (output is flushed first); fires once it is lost. */
  stopListening(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.#lost) {
      d.callback(undefined);
      return d;
    }
    this.#whenLost.push(d);
    this.stopping = true;
    this.transport?.loseConnection();
    return d;
  }

  ended(_reason: Failure): void {
    this.#lost = true;
    for (const d of this.#whenLost.splice(0)) d.callback(undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stopListening();
  }
}

/**
 * `protocol`, seen through a protocol that calls `onLost` after the real `connectionLost`
 * (wrapping rather than patching the user's object). Half-close calls are forwarded only when
 * `protocol` has them, because {@link StandardIO} chooses its end-of-input behaviour by
 * whether its protocol is half-closeable.
 */
function watchEnd(protocol: IProtocol, onLost: (reason: Failure) => void): IProtocol {
  const half = protocol as Partial<IHalfCloseableProtocol>;
  if (typeof half.readConnectionLost === "function")
    return new HalfCloseableEndWatcher(protocol as IProtocol & IHalfCloseableProtocol, onLost);
  return new EndWatcher(protocol, onLost);
}

class EndWatcher implements IProtocol {
  readonly wrapped: IProtocol;
  readonly #onLost: (reason: Failure) => void;
  constructor(wrapped: IProtocol, onLost: (reason: Failure) => void) {
    this.wrapped = wrapped;
    this.#onLost = onLost;
  }
  logPrefix(): string {
    return logPrefixOf(this.wrapped);
  }
  makeConnection(transport: ITransport): void {
    this.wrapped.makeConnection(transport);
  }
  connectionMade(): void {
    this.wrapped.connectionMade();
  }
  dataReceived(data: Buffer): void {
    this.wrapped.dataReceived(data);
  }
  connectionLost(reason: Failure): void {
    try {
      this.wrapped.connectionLost(reason);
    } finally {
      this.#onLost(reason);
    }
  }
}

class HalfCloseableEndWatcher extends EndWatcher implements IHalfCloseableProtocol {
  readonly #half: IHalfCloseableProtocol;
  constructor(wrapped: IProtocol & IHalfCloseableProtocol, onLost: (reason: Failure) => void) {
    super(wrapped, onLost);
    this.#half = wrapped;
  }
  readConnectionLost(): void {
    this.#half.readConnectionLost();
  }
  writeConnectionLost(): void {
    this.#half.writeConnectionLost();
  }
}

/**
 * This process's standard output as a `Writable` of its own: writes go to `process.stdout`
 * through `Writable.prototype.write`, past any `write` a log redirect installed on the object,
 * with `process.stdout`'s flow control (each chunk's callback); ending it does not close
 * `process.stdout`.
 */
function realStandardOutput(): Writable {
  const stdout = process.stdout;
  const write = Writable.prototype.write as (
    this: Writable,
    chunk: Buffer,
    callback: (err?: Error | null) => void,
  ) => boolean;
  return new Writable({
    highWaterMark: stdout.writableHighWaterMark,
    write(chunk: Buffer, _encoding, callback): void {
      write.call(stdout, chunk, (err) => callback(err));
    },
    final(callback): void {
      // Everything written was flushed (each write waited for its callback); leave stdout open.
      callback();
    },
  });
}

/**
 * The `stdio:` server description: no arguments (Twisted's `_StandardIOParser`), and the
 * reactor stops once the connection has ended, so `twist echo --listen stdio:` serves one
 * connection and exits 0.
 */
export function parseStandardIOServer(
  reactor: EndpointReactor,
  args: readonly string[],
  kwargs: Readonly<Record<string, string>>,
): StandardIOEndpoint {
  // "stdio:" splits into one empty argument; it means no arguments, as in Twisted.
  const given = args.filter((a) => a !== "");
  bindArguments("a stdio server endpoint", [], given, kwargs);
  return new StandardIOEndpoint(reactor as Partial<IReactorCore>, { stopReactorWhenDone: true });
}

let registered = false;

/**
 * Add `stdio:` to the server descriptions `serverFromString` knows (once; later calls do
 * nothing). `twist` calls it at start-up, so `twist echo --listen stdio:` serves on standard
 * input and output.
 */
export function registerStandardIOEndpoint(): void {
  if (registered) return;
  registerServerEndpointParser("stdio", parseStandardIOServer);
  registered = true;
}
