/**
 * UNIX-domain stream socket endpoints, after `twisted.internet.endpoints`.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import type {
  IListeningPort,
  IProtocol,
  IProtocolFactory,
  IReactorUNIX,
  IStreamClientEndpoint,
  IStreamServerEndpoint,
} from "../interfaces.ts";
import { DEFAULT_BACKLOG } from "../reactor/tcp.ts";
import { attempt } from "./attempt.ts";
import { WrappingFactory } from "./wrapping-factory.ts";

/** Options of {@link UNIXServerEndpoint}. */
export interface UNIXServerEndpointOptions {
  /** Pending-connection queue length; default 50. */
  backlog?: number;
  /** File mode of the socket file; default `0o666`. Prefer restricting the directory. */
  mode?: number;
  /** Take a lock file (`<path>.lock`) so a stale socket file of a dead server can be replaced; default `false`. */
  wantPID?: boolean;
}

/** Listens on a UNIX socket file through the reactor's `listenUNIX` (Twisted's `UNIXServerEndpoint`). */
export class UNIXServerEndpoint implements IStreamServerEndpoint {
  readonly reactor: IReactorUNIX;
  readonly address: string;
  readonly backlog: number;
  readonly mode: number;
  readonly wantPID: boolean;

  constructor(reactor: IReactorUNIX, address: string, options: UNIXServerEndpointOptions = {}) {
    this.reactor = reactor;
    this.address = address;
    this.backlog = options.backlog ?? DEFAULT_BACKLOG;
    this.mode = options.mode ?? 0o666;
    this.wantPID = options.wantPID ?? false;
  }

  /** Listen with `factory`. Fires with the port, or fails with `CannotListenError`. Never throws. */
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return attempt(() =>
      this.reactor.listenUNIX(this.address, factory, {
        backlog: this.backlog,
        mode: this.mode,
        wantPID: this.wantPID,
      }),
    );
  }
}

/** Options of {@link UNIXClientEndpoint}. */
export interface UNIXClientEndpointOptions {
  /** Seconds to wait for the connection; default 30. */
  timeout?: number;
  /** Refuse to connect unless the server's lock file names a live process; default `false`. */
  checkPID?: boolean;
}

/** Connects to a UNIX socket file through the reactor's `connectUNIX` (Twisted's `UNIXClientEndpoint`). */
export class UNIXClientEndpoint implements IStreamClientEndpoint {
  readonly reactor: IReactorUNIX;
  readonly path: string;
  readonly timeout: number;
  readonly checkPID: boolean;

  constructor(reactor: IReactorUNIX, path: string, options: UNIXClientEndpointOptions = {}) {
    this.reactor = reactor;
    this.path = path;
    this.timeout = options.timeout ?? 30;
    this.checkPID = options.checkPID ?? false;
  }

  /**
   * Connect with `factory`. Fires with the connected protocol; fails with
   * `ConnectionRefusedError` (no server at `path`) or another `ConnectError`, or with what
   * `buildProtocol` threw. Cancelling fails it with `ConnectingCancelledError`. Never throws.
   */
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    return attempt(() => {
      const wf = new WrappingFactory(factory);
      wf.connector = this.reactor.connectUNIX(this.path, wf, {
        timeout: this.timeout,
        checkPID: this.checkPID,
      });
      return wf.onConnection;
    });
  }
}
