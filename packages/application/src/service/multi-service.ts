/**
 * {@link MultiService} and {@link Application}, after `twisted.application.service`.
 *
 * @module
 */
import {
  type Deferred,
  DeferredList,
  type Failure,
  Logger,
  maybeDeferred,
  succeed,
} from "@torsion/core";
import { ServiceStartError } from "../errors.ts";
import { type IService, type IServiceCollection, Service } from "./service.ts";

/**
 * A service made of services. Starting it starts the children one after another, in the order
 * they were added, each once the previous one's start has finished (its Deferred fired).
 * Stopping it stops them in reverse order and waits for all of them.
 *
 * If a child fails to start, the children started before it are stopped again (in reverse)
 * and `startService()` fails with {@link ServiceStartError} naming that child and saying why
 * (`Service echo (tcp:8007) failed to start: Couldn't listen on 8007: Address already in use`).
 *
 * ```ts
 * const app = new MultiService();
 * service("tcp:8007", Factory.forProtocol(Echo), reactor).setServiceParent(app);
 * new TimerService(60, report).setServiceParent(app);
 * await app.startService();
 * ```
 */
export class MultiService extends Service implements IServiceCollection {
  #services: IService[] = [];
  #named = new Map<string, IService>();
  /** The children whose start finished, in start order (stopped in reverse). */
  #started: IService[] = [];

  /** The children, in the order they start. */
  [Symbol.iterator](): Iterator<IService> {
    return this.#services[Symbol.iterator]();
  }

  /** The child named `name`. @throws Error if there is none. */
  getServiceNamed(name: string): IService {
    const s = this.#named.get(name);
    if (s === undefined)
      throw new Error(`No service named ${JSON.stringify(name)} in ${String(this)}`);
    return s;
  }

  /** Add `service`; if this collection is running, start it (the Deferred says when it has). */
  addService(service: IService): Deferred<void> | void {
    if (service.name !== null) {
      if (this.#named.has(service.name)) {
        throw new Error(
          `A service named ${JSON.stringify(service.name)} already exists in ${String(this)}`,
        );
      }
      this.#named.set(service.name, service);
    }
    this.#services.push(service);
    if (this.running) {
      service.privilegedStartService();
      return maybeDeferred(() => service.startService()).addCallback(() => {
        this.#started.push(service);
      });
    }
  }

  /** Remove `service`; if this collection is running, stop it and return what its stop returned. */
  removeService(service: IService): Deferred<void> | void {
    if (service.name !== null) this.#named.delete(service.name);
    this.#services = this.#services.filter((s) => s !== service);
    const wasStarted = this.#started.includes(service);
    this.#started = this.#started.filter((s) => s !== service);
    if (this.running && wasStarted) return maybeDeferred(() => service.stopService());
  }

  /** Let every child do its privileged start. */
  override privilegedStartService(): void {
    super.privilegedStartService();
    for (const s of this.#services) s.privilegedStartService();
  }

  /**
   * Start the children in order, each after the previous one finished starting.
   *
   * @returns A Deferred that fires once every child started, or fails with
   *   {@link ServiceStartError} once the children started so far were stopped again.
   */
  override startService(): Deferred<void> {
    super.startService();
    this.#started = [];
    let chain: Deferred<unknown> = succeed(undefined);
    for (const child of [...this.#services]) {
      chain = chain.addCallback(() => {
        // Stopped while an earlier child was starting: start no more.
        if (!this.running) return;
        return maybeDeferred(() => child.startService()).addCallbacks(
          () => {
            if (this.running) this.#started.push(child);
            // A child that finished starting after stopService ran is stopped now.
            else return maybeDeferred(() => child.stopService());
          },
          (f: Failure) => {
            // A child whose start failed is not running, whatever it set before failing.
            // (Reflect.set: an IService whose `running` is a getter is left as it says.)
            if (child.running) Reflect.set(child, "running", false);
            const inner = f.value;
            if (!(inner instanceof ServiceStartError))
              throw new ServiceStartError(describe(child), inner);
            // A nested collection already said which of its children failed: prefix our child's name.
            throw child.name === null
              ? inner
              : new ServiceStartError(`${child.name} › ${inner.service}`, inner.cause);
          },
        );
      });
    }
    return chain.addCallbacks(
      () => undefined,
      (f: Failure) => {
        const started = this.#started;
        this.#started = [];
        this.running = false;
        return stopAll(started).addCallback(() => {
          throw f.value;
        });
      },
    ) as Deferred<void>;
  }

  /**
   * Stop the started children in reverse order.
   *
   * @returns A Deferred that fires once every child's stop finished. It never fails: a child
   *   whose stop fails is logged and the others still stop.
   */
  override stopService(): Deferred<void> {
    super.stopService();
    const started = this.#started;
    this.#started = [];
    return stopAll(started);
  }
}

const log = new Logger("torsion.application");

/** Stop `services` in reverse order (each called at once), waiting for all of them. */
function stopAll(services: readonly IService[]): Deferred<void> {
  const reversed = [...services].reverse();
  const ds = reversed.map((s) => maybeDeferred(() => s.stopService()));
  if (ds.length === 0) return succeed(undefined);
  return new DeferredList(ds, { consumeErrors: true }).addCallback((results) => {
    results.forEach(([ok, value], i) => {
      // A failed stop is logged; the other services still stopped.
      if (!ok)
        log.failure("Error stopping service {service}", value as Failure, {
          service: describe(reversed[i]!),
        });
    });
  }) as Deferred<void>;
}

/** The name a person knows the service by, for error messages. */
export function describe(service: IService): string {
  const d = (service as { description?: unknown }).description;
  if (service.name !== null) return typeof d === "string" ? `${service.name} (${d})` : service.name;
  return typeof d === "string" ? d : String(service);
}

/**
 * The root of a service tree (Twisted's `service.Application(name)`): what a module run with
 * `twist --app` exports as `application`.
 *
 * ```ts
 * export const application = new Application("echo");
 * service("tcp:8007", Factory.forProtocol(Echo), reactor).setServiceParent(application);
 * ```
 */
export class Application extends MultiService {
  constructor(name: string) {
    super();
    this.name = name;
  }
}
