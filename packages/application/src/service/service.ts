/**
 * {@link IService} and {@link Service}, after `twisted.application.service`.
 *
 * @module
 */
import type { Deferred } from "@torsion/core";

/**
 * Something that starts and stops with the application: a listening port, a periodic task, a
 * client connection kept alive. Services form a tree under an {@link Application}; a parent
 * starts its children in order and stops them in reverse.
 */
export interface IService {
  /** The name, unique among its siblings, or `null`. */
  name: string | null;
  /** `true` between `startService` and `stopService`. */
  readonly running: boolean;
  /** The collection this service belongs to, or `null`. */
  readonly parent: IServiceCollection | null;
  /** Name the service; only before it has a parent. @throws Error if it already has one. */
  setName(name: string): void;
  /** Join `parent` (leaving any previous parent first). */
  setServiceParent(parent: IServiceCollection): void;
  /**
   * Leave the parent. @returns What the parent's `removeService` returned: a Deferred that fires
   * once this service stopped, if the parent was running.
   */
  disownServiceParent(): Deferred<void> | void;
  /** Do what needs privileges before they are dropped (Twisted binds ports here). Usually nothing. */
  privilegedStartService(): void;
  /**
   * Start. May return a Deferred: the service is not ready until it fires, and failing it
   * (with, e.g., `CannotListenError`) means the service could not start.
   */
  startService(): Deferred<void> | void;
  /** Stop. May return a Deferred that fires once the service has stopped (never fails). */
  stopService(): Deferred<void> | void;
}

/** A service that holds other services (Twisted's `IServiceCollection`). */
export interface IServiceCollection {
  /** The child named `name`. @throws Error if there is none. */
  getServiceNamed(name: string): IService;
  /** The children, in the order they start. */
  [Symbol.iterator](): Iterator<IService>;
  /**
   * Add `service` (called by `service.setServiceParent(this)`); a running collection starts it.
   * @throws Error if a sibling already has its name.
   */
  addService(service: IService): Deferred<void> | void;
  /** Remove `service`; a running collection stops it and returns what `stopService` returned. */
  removeService(service: IService): Deferred<void> | void;
}

/**
 * The base service: keeps `name`, `running` and `parent`, and does nothing else. Subclasses
 * override {@link Service.startService} and {@link Service.stopService} and call `super`.
 *
 * ```ts
 * class Heartbeat extends Service {
 *   override startService(): void { super.startService(); log.info("up"); }
 * }
 * ```
 */
export class Service implements IService {
  /** See {@link IService.name}. */
  name: string | null = null;
  /** `true` between `startService` and `stopService` (a subclass whose start failed sets it back). */
  running = false;
  #parent: IServiceCollection | null = null;

  /** The collection this service belongs to, or `null`. */
  get parent(): IServiceCollection | null {
    return this.#parent;
  }

  /** Name the service. @throws Error if it already has a parent (its siblings know it by name). */
  setName(name: string): void {
    if (this.#parent !== null)
      throw new Error("Cannot change the name of a service that has a parent");
    this.name = name;
  }

  /** Join `parent`, leaving the previous parent first. @throws Error if a sibling has the same name. */
  setServiceParent(parent: IServiceCollection): void {
    if (this.#parent !== null) this.disownServiceParent();
    this.#parent = parent;
    try {
      parent.addService(this);
    } catch (error) {
      this.#parent = null;
      throw error;
    }
  }

  /** Leave the parent; a running parent stops this service (the Deferred says when). */
  disownServiceParent(): Deferred<void> | void {
    const parent = this.#parent;
    if (parent === null) return;
    this.#parent = null;
    return parent.removeService(this);
  }

  /** Nothing by default. */
  privilegedStartService(): void {}

  /** Mark the service running. */
  startService(): Deferred<void> | void {
    this.running = true;
  }

  /** Mark the service stopped. */
  stopService(): Deferred<void> | void {
    this.running = false;
  }

  /** `<Service name>` for logs. */
  toString(): string {
    return `<${this.constructor.name}${this.name === null ? "" : ` ${this.name}`}>`;
  }
}
