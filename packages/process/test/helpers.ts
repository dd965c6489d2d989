import type { Failure, MaybeAsync } from "@torsion/core";
import { ProcessProtocol } from "../src/index.ts";

/**
 * A ProcessProtocol that records every call, in order, and resolves `ended` with the reason
 * given to `processEnded`.
 */
export class Recorder extends ProcessProtocol {
  readonly events: string[] = [];
  readonly data: Map<number, Buffer[]> = new Map();
  exitedReason: Failure | undefined;
  endedReason: Failure | undefined;
  readonly ended: Promise<Failure>;
  readonly exited: Promise<Failure>;
  #resolveEnded!: (f: Failure) => void;
  #resolveExited!: (f: Failure) => void;

  constructor() {
    super();
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
    this.exited = new Promise((resolve) => {
      this.#resolveExited = resolve;
    });
  }

  override connectionMade(): void {
    this.events.push("connectionMade");
  }
  override childDataReceived(fd: number, data: Buffer): MaybeAsync {
    this.events.push(`data ${fd}`);
    const list = this.data.get(fd) ?? [];
    list.push(data);
    this.data.set(fd, list);
    return super.childDataReceived(fd, data);
  }
  override childConnectionLost(fd: number): MaybeAsync {
    this.events.push(`lost ${fd}`);
    return super.childConnectionLost(fd);
  }
  override processExited(reason: Failure): void {
    this.events.push("processExited");
    this.exitedReason = reason;
    this.#resolveExited(reason);
  }
  override processEnded(reason: Failure): void {
    this.events.push("processEnded");
    this.endedReason = reason;
    this.#resolveEnded(reason);
  }

  /** Everything received on `fd`, as a string. */
  text(fd: number): string {
    return Buffer.concat(this.data.get(fd) ?? []).toString();
  }

  /** The calls with consecutive `data` entries collapsed to one. */
  shape(): string[] {
    return this.events.filter((e, i) => !(e.startsWith("data") && this.events[i - 1] === e));
  }
}

/** Check Twisted's order of calls: connectionMade first, processEnded last and once, every pipe lost once, no data after its pipe was lost. */
export function expectTwistedOrder(events: readonly string[], fds: readonly number[]): void {
  if (events[0] !== "connectionMade")
    throw new Error(`first call was ${events[0]}: ${events.join(", ")}`);
  if (events.at(-1) !== "processEnded")
    throw new Error(`last call was ${events.at(-1)}: ${events.join(", ")}`);
  if (events.filter((e) => e === "processEnded").length !== 1)
    throw new Error(`processEnded more than once: ${events.join(", ")}`);
  if (events.filter((e) => e === "processExited").length !== 1)
    throw new Error(`processExited not exactly once: ${events.join(", ")}`);
  for (const fd of fds) {
    const lost = events.indexOf(`lost ${fd}`);
    if (lost === -1 || events.lastIndexOf(`lost ${fd}`) !== lost)
      throw new Error(`pipe ${fd} not lost exactly once: ${events.join(", ")}`);
    if (events.lastIndexOf(`data ${fd}`) > lost)
      throw new Error(`data on ${fd} after it was lost: ${events.join(", ")}`);
  }
}
