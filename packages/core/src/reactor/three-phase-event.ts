/**
 * {@link ThreePhaseEvent}: the triggers of one system event (`startup`, `shutdown`), run in
 * three phases, as Twisted's `twisted.internet.base._ThreePhaseEvent`.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import { isThenable } from "../deferred/thenable.ts";
import { Failure } from "../failure.ts";
import type { SystemEventPhase } from "../interfaces.ts";
import { Logger } from "../logger/logger.ts";

const log = new Logger("torsion.reactor");

/**
 * The id {@link ThreePhaseEvent.addTrigger} returns (and `addSystemEventTrigger` hands out):
 * pass it back to remove the trigger. Opaque.
 */
export class SystemEventTrigger {
  /** @internal The event this trigger belongs to. */
  readonly event: ThreePhaseEvent;
  /** The phase it runs in. */
  readonly phase: SystemEventPhase;
  /** @internal */
  readonly fn: (...args: any[]) => unknown;
  /** @internal */
  readonly args: readonly unknown[];
  /** `pending` until it ran or was removed. */
  state: "pending" | "ran" | "removed" = "pending";

  /** @internal Created by {@link ThreePhaseEvent.addTrigger}. */
  constructor(
    event: ThreePhaseEvent,
    phase: SystemEventPhase,
    fn: (...args: any[]) => unknown,
    args: readonly unknown[],
  ) {
    this.event = event;
    this.phase = phase;
    this.fn = fn;
    this.args = args;
  }
}

/**
 * Triggers for one event, in three phases: all `before` triggers run first, and any of them
 * may return a Deferred or a promise that holds the event until it settles; then the `during`
 * triggers, then the `after` triggers. Within a phase triggers run in the order they were
 * added, including triggers added to that phase while it runs. A trigger runs once: firing
 * consumes it.
 *
 * An exception thrown by a trigger, or a failure of the Deferred/promise a `before` trigger
 * returned, is logged; it stops neither the other triggers nor the event.
 */
export class ThreePhaseEvent {
  /** The event's name, for log messages. */
  readonly name: string;
  // Sets keep insertion order and remove in O(1): every open connection of the Node reactor
  // holds a shutdown trigger and removes it when it closes.
  #triggers: Record<SystemEventPhase, Set<SystemEventTrigger>> = {
    before: new Set(),
    during: new Set(),
    after: new Set(),
  };

  /** @param name The event's name, for log messages. */
  constructor(name: string) {
    this.name = name;
  }

  /**
   * Add `fn(...args)` to `phase`.
   *
   * @throws TypeError if `phase` is not `before`, `during` or `after`.
   */
  addTrigger(
    phase: SystemEventPhase,
    fn: (...args: any[]) => unknown,
    args: readonly unknown[],
  ): SystemEventTrigger {
    if (!Object.hasOwn(this.#triggers, phase)) {
      throw new TypeError(`Invalid system event phase: ${String(phase)}`);
    }
    const triggers = this.#triggers[phase];
    if (typeof fn !== "function") throw new TypeError(`${String(fn)} is not a function`);
    const trigger = new SystemEventTrigger(this, phase, fn, args);
    triggers.add(trigger);
    return trigger;
  }

  /**
   * Remove a trigger that has not run yet. Removing one that already ran does nothing.
   *
   * @throws TypeError if `trigger` was already removed or does not belong to this event.
   */
  removeTrigger(trigger: SystemEventTrigger): void {
    if (!(trigger instanceof SystemEventTrigger) || trigger.event !== this) {
      throw new TypeError("Invalid system event trigger id");
    }
    if (trigger.state === "removed") throw new TypeError("System event trigger already removed");
    if (trigger.state === "ran") return;
    this.#triggers[trigger.phase].delete(trigger);
    trigger.state = "removed";
  }

  /**
   * Run the triggers: `before`, then (once everything the `before` triggers returned has
   * settled) `during` and `after`.
   *
   * @returns A Deferred that fires with `undefined` once the `after` triggers ran. It never
   *   fails: trigger errors are logged.
   */
  fire(): Deferred<void> {
    const done = new Deferred<void>();
    // Count the `before` loop itself as one pending item, so a Deferred that has already fired
    // cannot let the event continue before every `before` trigger has run.
    let pending = 1;
    const settled = (): void => {
      pending -= 1;
      if (pending === 0) {
        this.#runPhase("during");
        this.#runPhase("after");
        done.callback(undefined);
      }
    };
    const before = this.#triggers.before;
    for (let trigger = takeFirst(before); trigger; trigger = takeFirst(before)) {
      const result = this.#run(trigger);
      if (result instanceof Deferred) {
        pending += 1;
        result.addCallbacks(
          (value: unknown) => {
            settled();
            return value;
          },
          (failure: Failure) => {
            this.#logError(trigger, failure);
            settled();
            return undefined;
          },
        );
      } else if (isThenable(result)) {
        pending += 1;
        result.then(settled, (error: unknown) => {
          this.#logError(trigger, Failure.from(error));
          settled();
        });
      }
    }
    settled();
    return done;
  }

  #runPhase(phase: SystemEventPhase): void {
    const triggers = this.#triggers[phase];
    for (let trigger = takeFirst(triggers); trigger; trigger = takeFirst(triggers))
      this.#run(trigger);
  }

  /** Run one trigger, returning its result; an exception is logged and gives `undefined`. */
  #run(trigger: SystemEventTrigger): unknown {
    trigger.state = "ran";
    try {
      return trigger.fn(...trigger.args);
    } catch (error) {
      this.#logError(trigger, Failure.from(error));
      return undefined;
    }
  }

  #logError(trigger: SystemEventTrigger, failure: Failure): void {
    log.failure("Error in {phase}-{event} trigger {trigger}", failure, {
      phase: trigger.phase,
      event: this.name,
      trigger: trigger.fn.name || "<anonymous>",
    });
  }
}

/** Remove and return the oldest trigger (triggers added meanwhile come after it). */
function takeFirst(triggers: Set<SystemEventTrigger>): SystemEventTrigger | undefined {
  const first = triggers.values().next();
  if (first.done) return undefined;
  triggers.delete(first.value);
  return first.value;
}
