/**
 * Command-line usage errors in Torsion's own words, for `twist`'s options and a plugin's:
 * `node:util` `parseArgs` errors turned into one line that says what to do, instead of
 * parseArgs' raw text.
 *
 * @module
 */
import { UsageError } from "./errors.ts";

/**
 * A {@link UsageError} for what `parseArgs` threw while parsing `who`'s options (`twist`, or a
 * plugin's name); `help` says where the options are listed.
 */
export function usageFromParseArgs(error: unknown, who: string, help: string): UsageError {
  const e = error as { code?: string; message?: string };
  const text = e.message ?? String(error);
  const quoted = /'([^']+)'/.exec(text)?.[1];
  const prefix = who === "twist" ? "" : `${who}: `;
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new UsageError(`${prefix}unknown option ${quoted ?? text}; ${help}`);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const option = /--[\w-]+/.exec(quoted ?? "")?.[0] ?? quoted ?? "an option";
      return new UsageError(
        /argument missing/.test(text)
          ? `${prefix}option ${option} needs a value; ${help}`
          : `${prefix}option ${option} takes no value; ${help}`,
      );
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return new UsageError(`${prefix}unexpected argument ${quoted ?? text}; ${help}`);
    default:
      return new UsageError(`${prefix}${text.split("\n")[0]}; ${help}`);
  }
}

/**
 * `argv` with each `--opt VALUE` whose VALUE starts with `-` joined into `--opt=VALUE`, for the
 * options in `takesValue`: `--workers -1` is then a bad number, not parseArgs' "ambiguous".
 */
export function joinDashValues(
  argv: readonly string[],
  takesValue: (option: string) => boolean,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (
      a.startsWith("--") &&
      !a.includes("=") &&
      takesValue(a.slice(2)) &&
      next?.startsWith("-") &&
      next !== "-" &&
      next !== "--"
    ) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}
