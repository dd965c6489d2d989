/**
 * Rebuild an error thrown in a worker (packed by `worker.mjs`) on this side. Internal.
 *
 * @module
 */

const PACKED = "torsion:error";

interface PackedError {
  [PACKED]: 1;
  name: string;
  message: string;
  stack?: string;
  props: Record<string, unknown>;
  cause?: unknown;
}

const builtins: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

function isPacked(value: unknown): value is PackedError {
  return (
    typeof value === "object" && value !== null && (value as Record<string, unknown>)[PACKED] === 1
  );
}

/**
 * The error a task threw in its worker, as an `Error` of the same built-in class (`TypeError`
 * stays a `TypeError`; other classes arrive as `Error` with the original `name`), with the
 * worker's message, stack, own properties (`code`, …) and `cause`. Other values pass through.
 */
export function unpackError(value: unknown): unknown {
  if (!isPacked(value)) return value;
  const Klass = builtins[value.name] ?? Error;
  const err = new Klass(value.message) as Error & Record<string, unknown>;
  if (err.name !== value.name) {
    Object.defineProperty(err, "name", {
      value: value.name,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  for (const [key, v] of Object.entries(value.props)) err[key] = v;
  if (value.cause !== undefined) err.cause = unpackError(value.cause);
  // The worker's stack says where the error happened; ours would only show the message port.
  if (value.stack !== undefined) err.stack = value.stack;
  return err;
}
