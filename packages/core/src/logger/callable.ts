/**
 * Callable instances: the base behind every observer class of the logger.
 *
 * Twisted's observers are callables (`LogPublisher`, `FilteringLogObserver`,
 * `LimitedHistoryLogObserver` implement `__call__`), so a publisher can be handed to anything
 * that takes an observer. This module gives Torsion's classes the same property: an instance
 * is a real function (calling it calls the named method) and still an instance of its class.
 *
 * Internal: not exported from the package.
 *
 * @module
 */

/**
 * Make an abstract base class whose instances are functions that call `this[method](...args)`.
 * Subclass fields (including `#private` ones) are installed on that function, because a base
 * constructor that returns an object makes it the subclass's `this`.
 */
export function callableBase(method: string): abstract new () => object {
  abstract class CallableInstance {
    constructor() {
      const self = function (this: unknown, ...args: unknown[]): unknown {
        return (self as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
      };
      // A function's own `length` and `name` would hide members of those names.
      delete (self as { length?: number }).length;
      delete (self as { name?: string }).name;
      Object.setPrototypeOf(self, new.target.prototype);
      // biome-ignore lint/correctness/noConstructorReturn: the instance must be callable
      return self;
    }
  }
  // Keep Function.prototype in the chain so that .call/.apply/.bind work on instances.
  Object.setPrototypeOf(CallableInstance.prototype, Function.prototype);
  return CallableInstance;
}
