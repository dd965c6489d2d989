/**
 * {@link main}: the `create-torsion-plugin` command, argument parsing to exit code.
 *
 * @module
 */
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { InvalidNameError } from "./names.ts";
import { DirectoryNotEmptyError, scaffold } from "./scaffold.ts";

/** Where {@link main} writes. */
export interface MainIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Relative paths in the messages are relative to this; default `process.cwd()`. */
  readonly cwd?: string;
}

/** The usage text, printed by `--help` and after a usage error. */
export const USAGE = `Usage: create-torsion-plugin <directory> [--name <plugin>] [--package <npm-name>] [--protocol line|raw]
       npm create torsion-plugin@latest <directory> -- [options]

Scaffold a standalone Torsion plugin package: a protocol, the plugin twist runs, tests and a README.

Options:
  --name <plugin>       the plugin's name, as in "twist <plugin>" (default: the package name
                        without its scope and any "torsion-plugin-" prefix)
  --package <npm-name>  the package name (default: the directory's name)
  --protocol line|raw   a LineReceiver over CRLF lines (default) or a raw byte Protocol
  -h, --help            show this help
`;

/** Exit code for a usage error (bad option, bad name), as `twist` uses. */
export const EXIT_USAGE = 2;

/**
 * Run the command with `argv` (without `node` and the script). Returns the exit code: 0 on
 * success, {@link EXIT_USAGE} for bad arguments or names, 1 if the directory is not empty.
 */
export function main(argv: readonly string[], io: MainIO): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr.write(`create-torsion-plugin: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    io.stderr.write(
      `create-torsion-plugin: expected one directory, got ${positionals.length}\n\n${USAGE}`,
    );
    return EXIT_USAGE;
  }
  const protocol = values.protocol ?? "line";
  if (protocol !== "line" && protocol !== "raw") {
    io.stderr.write(
      `create-torsion-plugin: --protocol must be "line" or "raw", not ${JSON.stringify(protocol)}\n`,
    );
    return EXIT_USAGE;
  }
  try {
    const result = scaffold({
      directory: positionals[0]!,
      packageName: values.package,
      pluginName: values.name,
      protocol,
    });
    const where = relative(io.cwd ?? process.cwd(), result.directory) || ".";
    io.stdout.write(
      `Created ${result.packageName} (plugin "${result.pluginName}") in ${where}:\n` +
        result.files.map((f) => `  ${f}\n`).join("") +
        `\nNext:\n  cd ${where}\n  npm install\n  npm test\n  npm pack\n` +
        `then, in a project with @torsion/application: npx twist ${result.pluginName} --help\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof InvalidNameError) {
      io.stderr.write(`create-torsion-plugin: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof DirectoryNotEmptyError) {
      io.stderr.write(`create-torsion-plugin: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: "string" },
      package: { type: "string" },
      protocol: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}
