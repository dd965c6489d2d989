/**
 * The terminal side the prompting tutorial clients (`qotd-client`, `timestamp-client`) share.
 *
 * @module
 */
import type { Interface } from "node:readline";

/**
 * `ask` over a readline interface, for a terminal or piped input alike: lines typed (or piped)
 * before the question is asked wait in a short queue instead of being lost, and the answer is
 * `undefined` once input has ended. Reading pauses while the queue is full.
 */
export function lineAsker(rl: Interface): (prompt: string) => Promise<string | undefined> {
  const queued: string[] = [];
  let waiting: ((line: string | undefined) => void) | undefined;
  let closed = false;
  rl.on("line", (line) => {
    if (waiting !== undefined) {
      const answer = waiting;
      waiting = undefined;
      answer(line);
    } else if (queued.push(line) >= 16) {
      rl.pause();
    }
  });
  rl.on("close", () => {
    closed = true;
    waiting?.(undefined);
    waiting = undefined;
  });
  return (prompt) => {
    rl.setPrompt(prompt);
    rl.prompt();
    const line = queued.shift();
    if (line !== undefined) {
      rl.resume();
      return Promise.resolve(line);
    }
    if (closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      waiting = resolve;
    });
  };
}
