/**
 * The names a scaffolded plugin is given, and the rules they must follow.
 *
 * @module
 */

/** Thrown for a name the scaffolder refuses; the message says which rule it breaks. */
export class InvalidNameError extends Error {
  override name = "InvalidNameError";
}

/**
 * Check an npm package name (`my-plugin`, `@me/torsion-plugin-x`): lower case, URL-safe,
 * at most 214 characters, not starting with `.` or `_`, as npm itself requires to publish.
 *
 * @throws InvalidNameError naming the rule broken.
 */
export function checkPackageName(name: string): string {
  const bare = name.startsWith("@") ? name.slice(name.indexOf("/") + 1) : name;
  const scope = name.startsWith("@") ? name.slice(1, name.indexOf("/")) : undefined;
  const part = /^[a-z0-9][a-z0-9._~-]*$/;
  const problem =
    name.length === 0
      ? "is empty"
      : name.length > 214
        ? "is longer than 214 characters"
        : name.startsWith("@") && !name.includes("/")
          ? "has a scope but no name after it (@scope/name)"
          : scope !== undefined && !part.test(scope)
            ? "has a scope that is not lower-case letters, digits, '.', '_', '~' or '-'"
            : !part.test(bare)
              ? "must be lower-case letters, digits, '.', '_', '~' or '-', starting with a letter or digit"
              : undefined;
  if (problem !== undefined) {
    throw new InvalidNameError(`Package name ${JSON.stringify(name)} ${problem}`);
  }
  return name;
}

/**
 * Check a plugin name (what follows `twist`): a lower-case letter, then lower-case letters,
 * digits or single hyphens. Stricter than `twist` requires, so that it also makes a class name.
 *
 * @throws InvalidNameError naming the rule broken.
 */
export function checkPluginName(name: string): string {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
    throw new InvalidNameError(
      `Plugin name ${JSON.stringify(name)} must be a lower-case letter followed by lower-case letters, digits or single hyphens (e.g. "reverse", "my-proto2")`,
    );
  }
  return name;
}

/** The plugin name a package suggests: `@me/torsion-plugin-reverse` → `reverse`. */
export function pluginNameFor(packageName: string): string {
  const bare = packageName.startsWith("@")
    ? packageName.slice(packageName.indexOf("/") + 1)
    : packageName;
  return bare.replace(/^torsion-plugin-/, "");
}

/** The protocol's class name for a plugin name: `my-proto2` → `MyProto2`. */
export function className(pluginName: string): string {
  return pluginName
    .split("-")
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}
