/**
 * {@link Task}: a function that can run in a worker thread, named by its module and export.
 *
 * @module
 */
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";

/** Any function a task may name. */
export type TaskFunction = (...args: any[]) => unknown;

/**
 * A function to run in a worker thread: the URL of the module that exports it and the export's
 * name. JavaScript closures cannot cross threads, so this is how work is named; `F` is the
 * function's type, used only to type the arguments and result. Make one with {@link defineTask}.
 */
export interface Task<F extends TaskFunction = TaskFunction> {
  /** The module's URL (`file:` URL), as the worker will `import()` it. */
  readonly module: string;
  /** The exported function's name (`"default"` for the default export). */
  readonly name: string;
  /** Type-level only: never set at run time. */
  readonly __function?: F;
}

/** The arguments a task takes. */
export type TaskArgs<F extends TaskFunction> = Parameters<F>;
/** What a task's Deferred fires with: the function's result, awaited. */
export type TaskResult<F extends TaskFunction> = Awaited<ReturnType<F>>;

/**
 * Name a task: the module's URL (or absolute path) and the exported function's name.
 *
 * The worker loads the module with Node's own `import()`, so it must be a file Node can load
 * as it is: JavaScript (`.js`/`.mjs`), or your compiled output, **not** a `.ts` source file
 * (Node 20 cannot import TypeScript). Type it from the source with `typeof import(...)`, which
 * costs nothing at run time:
 *
 * ```ts
 * // src/hash.ts, compiled to dist/hash.js next to dist/main.js
 * const sha1 = defineTask<typeof import("./hash.ts").sha1>(new URL("./hash.js", import.meta.url), "sha1");
 * const hex = await deferToThread(sha1, "/etc/hosts"); // typed: (path: string) => Promise<string>
 * ```
 *
 * @throws TypeError if `module` is not a URL or an absolute path, or `name` is empty.
 */
export function defineTask<F extends TaskFunction>(
  module: URL | string,
  name = "default",
): Task<F> {
  let href: string;
  if (module instanceof URL) href = module.href;
  else if (typeof module === "string" && isAbsolute(module)) href = pathToFileURL(module).href;
  else if (typeof module === "string" && URL.canParse(module)) href = module;
  else
    throw new TypeError(
      `task module must be a URL or an absolute path, not ${JSON.stringify(module)}`,
    );
  if (typeof name !== "string" || name === "")
    throw new TypeError("task name must be a non-empty string");
  return Object.freeze({ module: href, name });
}
