/**
 * A {@link Failure} wraps an error (any thrown value) as it travels down a Deferred's
 * errback chain, as Twisted's `twisted.python.failure.Failure` does.
 *
 * @module
 */

// Error classes take any constructor arguments (noExplicitAny is off in biome.json).
type ErrorClass = abstract new (...args: any[]) => unknown;

/**
 * An error in transit: the thrown value, its class, and its traceback.
 *
 * ```ts
 * d.addErrback((f: Failure) => {
 *   f.trap(ConnectionRefusedError); // rethrows anything else
 *   return retryLater();
 * });
 * ```
 */
export class Failure<E = unknown> {
  /** The thrown value. Usually an `Error`, but JavaScript allows anything to be thrown. */
  readonly value: E;

  constructor(value: E) {
    if (value instanceof Failure) {
      // Failure(Failure(e)) is Failure(e): keep one wrapper.
      this.value = value.value as E;
    } else {
      this.value = value;
    }
  }

  /** Wrap `value` in a Failure, returning it unchanged if it already is one. */
  static from(value: unknown): Failure {
    return value instanceof Failure ? value : new Failure(value);
  }

  /** The class (constructor) of the error, or `undefined` for a thrown primitive. */
  get type(): Function | undefined {
    const v = this.value as unknown;
    if (v !== null && (typeof v === "object" || typeof v === "function")) {
      return (v as object).constructor as Function;
    }
    return undefined;
  }

  /**
   * Return the first of `types` that the error is an instance of, or `undefined` (never
   * `null`: test the result's truthiness, `if (f.check(ConnectionDone))`). Use it to branch on
   * the kind of failure. (TypeScript lets any value be compared with `null`, so the repository's
   * lint refuses `check(...) !== null`.)
   */
  check<T extends ErrorClass>(...types: T[]): T | undefined {
    for (const t of types) {
      if ((this.value as unknown) instanceof (t as unknown as Function)) return t;
    }
    return undefined;
  }

  /**
   * Return the first of `types` that matches, or throw this Failure again (so the next
   * errback in the chain sees it). Use it at the top of an errback that handles only some errors.
   */
  trap<T extends ErrorClass>(...types: T[]): T {
    const t = this.check(...types);
    if (t === undefined) throw this;
    return t;
  }

  /** Throw the wrapped error (not the Failure). */
  raiseException(): never {
    throw this.value;
  }

  /** The error's message; for a non-Error value, its string form. */
  getErrorMessage(): string {
    const v = this.value as unknown;
    if (v instanceof Error) return v.message;
    try {
      return String(v);
    } catch {
      return Object.prototype.toString.call(v);
    }
  }

  /** The error's stack (with its `cause` chain), or a one-line description for non-Errors. */
  getTraceback(): string {
    return describe(this.value, 0);
  }

  /** A short form for logs: `[Failure instance: ConnectionDone: Connection was closed cleanly.]` */
  toString(): string {
    const name = this.type?.name ?? typeof this.value;
    return `[Failure instance: ${name}: ${this.getErrorMessage()}]`;
  }
}

function describe(value: unknown, depth: number): string {
  if (!(value instanceof Error)) {
    let s: string;
    try {
      s = String(value);
    } catch {
      s = Object.prototype.toString.call(value);
    }
    return `${typeof value === "object" ? "thrown object" : `thrown ${typeof value}`}: ${s}`;
  }
  let out = value.stack ?? `${value.name}: ${value.message}`;
  const cause = (value as Error & { cause?: unknown }).cause;
  if (cause !== undefined && depth < 8) {
    out += `\nCaused by: ${describe(cause, depth + 1)}`;
  }
  return out;
}
