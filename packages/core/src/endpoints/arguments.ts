/**
 * Binding and converting the string arguments of a description, for the built-in parsers and
 * for plugins that want the same behaviour (Python's call rules for Twisted's parser
 * functions: positional arguments fill the parameters in order, keywords by name, and an
 * unknown name, a name given twice or too many positional arguments is an error).
 *
 * @module
 */

/**
 * Bind `args` and `kwargs` to `parameters` (in positional order). Throws an `Error` naming the
 * problem; `what` ("a tcp server endpoint") goes into the message.
 */
export function bindArguments(
  what: string,
  parameters: readonly string[],
  args: readonly string[],
  kwargs: Readonly<Record<string, string>>,
): Record<string, string | undefined> {
  if (args.length > parameters.length) {
    throw new Error(
      `Too many positional arguments for ${what}: ${args.length} given, at most ${parameters.length} (${parameters.join(", ")})`,
    );
  }
  const bound: Record<string, string | undefined> = Object.create(null);
  args.forEach((value, i) => {
    bound[parameters[i] as string] = value;
  });
  for (const [key, value] of Object.entries(kwargs)) {
    if (!parameters.includes(key))
      throw new Error(`Unknown key '${key}' for ${what} (expected ${parameters.join(", ")})`);
    if (bound[key] !== undefined)
      throw new Error(`Argument '${key}' given both by position and by name`);
    bound[key] = value;
  }
  return bound;
}

/** `value`, or an error saying `name` is missing (absent or empty). */
export function required(name: string, value: string | undefined): string {
  if (value === undefined || value === "") throw new Error(`Missing ${name}`);
  return value;
}

/** A port number, 0 to 65535. */
export function toPort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new Error(`Invalid port '${value}' (expected an integer from 0 to 65535)`);
  }
  return Number(value);
}

/** A non-negative decimal integer. */
export function toInteger(name: string, value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new Error(`Invalid ${name} '${value}' (expected a non-negative integer)`);
  }
  return Number(value);
}

/** A non-negative number of seconds (`30`, `2.5`). */
export function toSeconds(name: string, value: string): number {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value))
    throw new Error(`Invalid ${name} '${value}' (expected a number of seconds)`);
  return Number(value);
}

/** An octal file mode (`666`, `0660`). */
export function toMode(value: string): number {
  if (!/^[0-7]{1,4}$/.test(value))
    throw new Error(`Invalid mode '${value}' (expected an octal number such as 666)`);
  return Number.parseInt(value, 8);
}

/** A flag written as an integer, as Twisted's `bool(int(value))`: `0` is false, any other integer true. */
export function toFlag(name: string, value: string): boolean {
  if (!/^[+-]?\d+$/.test(value)) throw new Error(`Invalid ${name} '${value}' (expected 0 or 1)`);
  return Number(value) !== 0;
}
