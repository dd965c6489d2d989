/**
 * Deferred debugging (Twisted's `setDebugging`/`getDebugging`): when on, every Deferred
 * records where it was created and where it was first fired, and both stacks are printed
 * with "Unhandled error in Deferred" reports and {@link AlreadyCalledError}s.
 *
 * @module
 */

let debugging = false;

/**
 * Turn Deferred debugging on or off. Costs a stack capture per Deferred created and fired,
 * so leave it off in production; only Deferreds created while it is on carry creation stacks.
 */
export function setDebugging(on: boolean): void {
  debugging = on;
}

/** Whether Deferred debugging is on (see {@link setDebugging}). */
export function getDebugging(): boolean {
  return debugging;
}

/** Where a Deferred was created and first fired (debug mode only). */
export class DebugInfo {
  creator: string | undefined;
  invoker: string | undefined;

  /** Both stacks as Twisted prints them: lines prefixed ` C:` (created) and ` I:` (invoked). */
  format(): string {
    let out = "";
    if (this.creator !== undefined) {
      out += ` C: Deferred was created:\n C:${this.creator.replace(/\n/g, "\n C:")}\n`;
    }
    if (this.invoker !== undefined) {
      out += ` I: First Invoker was:\n I:${this.invoker.replace(/\n/g, "\n I:")}\n`;
    }
    return out;
  }
}

/** The caller's stack, without the `Error` line and the `skip` innermost frames. */
export function captureStack(skip: number): string {
  const stack = new Error().stack ?? "";
  return stack
    .split("\n")
    .slice(1 + skip)
    .join("\n");
}
