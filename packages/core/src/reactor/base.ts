/**
 * {@link ReactorBase}: the reactor's time and lifecycle on Node's event loop (Twisted's
 * `twisted.internet.base.ReactorBase`). Network methods are added by subclasses.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import { ReactorAlreadyRunning, ReactorNotRestartable, ReactorNotRunning } from "../errors.ts";
import { Failure } from "../failure.ts";
import type { IReactorCore, IReactorTime, SystemEvent, SystemEventPhase } from "../interfaces.ts";
import { Logger } from "../logger/logger.ts";
import { DelayedCall, type DelayedCallOwner } from "./delayed-call.ts";
import { installSignalHandlers } from "./signals.ts";
import { type SystemEventTrigger, ThreePhaseEvent } from "./three-phase-event.ts";
import { TimedCallQueue } from "./timed-calls.ts";

const log = new Logger("torsion.reactor");

/** Options for {@link ReactorBase.run}. */
export interface RunOptions {
  /** Stop on SIGINT/SIGTERM while running (default `true`). */
  installSignalHandlers?: boolean;
}

/** The longest a Node timer can wait (2^31 - 1 ms); longer waits re-arm when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The reactor's time and lifecycle: `callLater` on Node's timers, `run`/`stop`, and system
 * event triggers.
 *
 * **Time.** {@link ReactorBase.seconds} is monotonic: `performance.timeOrigin` (the wall-clock
 * time the process started) plus `performance.now()`, in seconds. It reads like Unix time but
 * never jumps when the system clock is changed. Scheduled calls run in time order, calls due
 * at the same time in scheduling order; a call scheduled by a running call runs on a later
 * turn of the event loop, never in the same batch (as in Twisted). An exception thrown by a
 * scheduled call is logged and never reaches Node's event loop. One Node timer (or
 * `setImmediate` for calls due now) is armed for the earliest call; it keeps the process alive
 * like any Node timer, and is released when no call is pending. Calls may be scheduled before
 * {@link ReactorBase.run} and run on time without it, as a Node user expects.
 *
 * **Lifecycle.** `run()` fires `startup` and keeps the process alive until `stop()`, which
 * fires `shutdown` on the next turn of the event loop. `run()`'s promise resolves once every
 * shutdown trigger ran; the reactor then releases its timers and signal handlers, and does not
 * run again ({@link ReactorNotRestartable}). Constructing a reactor touches nothing in the
 * process: no timer, no signal handler.
 *
 * Subclasses (the Node reactor) add network methods and hook into the lifecycle with
 * {@link ReactorBase.addSystemEventTrigger} in their constructor, or by overriding
 * {@link ReactorBase.disconnectAll}.
 */
export class ReactorBase implements IReactorTime, IReactorCore {
  #queue = new TimedCallQueue();
  #owner: DelayedCallOwner = {
    seconds: () => this.seconds(),
    cancelled: (call) => {
      this.#queue.cancelled(call);
      if (this.#queue.live === 0) this.#disarm();
    },
    rescheduled: (call) => {
      if (this.#queue.rescheduled(call) && !this.#inTimer) this.#arm();
    },
  };
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #timerIsImmediate = false;
  /** The time the armed timer is for; `Infinity` when none is armed. */
  #armedFor = Number.POSITIVE_INFINITY;

  #events = new Map<SystemEvent, ThreePhaseEvent>();
  #state: "idle" | "started" | "stopping" | "stopped" = "idle";
  #running = false;
  #keepAlive: NodeJS.Timeout | undefined;
  #uninstallSignals: (() => void) | undefined;

  /** The signal that stopped the reactor (`"SIGINT"`, `"SIGTERM"`), or `null`. */
  exitSignal: NodeJS.Signals | null = null;

  constructor() {
    // As in Twisted, `running` turns true in the `during` phase of startup, so `after startup`
    // triggers (`callWhenRunning`) see a running reactor; it turns false during shutdown.
    this.addSystemEventTrigger("during", "startup", () => {
      this.#running = true;
    });
    this.addSystemEventTrigger("during", "shutdown", () => {
      this.#running = false;
      this.disconnectAll();
    });
  }

  // --- IReactorTime ------------------------------------------------------------------------

  /** Monotonic time in seconds: process start (wall clock) plus elapsed monotonic time. */
  seconds(): number {
    return (performance.timeOrigin + performance.now()) / 1000;
  }

  /**
   * Call `fn(...args)` after `delay` seconds (0: on the next turn of the event loop). An
   * exception it throws is logged.
   *
   * @throws RangeError if `delay` is negative or not a number.
   */
  callLater<A extends unknown[]>(
    delay: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): DelayedCall {
    if (!(delay >= 0)) throw new RangeError(`callLater delay must be a number >= 0, not ${delay}`);
    if (typeof fn !== "function") throw new TypeError(`${String(fn)} is not a function`);
    const call = new DelayedCall(
      this.seconds() + delay,
      fn as (...args: unknown[]) => unknown,
      args,
      this.#owner,
    );
    this.#queue.add(call);
    // While the timer callback runs it re-arms once at the end.
    if (!this.#inTimer && call.time < this.#armedFor) this.#arm();
    return call;
  }

  /** Every scheduled call that has neither run nor been cancelled, in no particular order. */
  getDelayedCalls(): DelayedCall[] {
    return this.#queue.pending();
  }

  /** Run every call that is due now. Called by the timer; subclasses need not call it. */
  protected runUntilCurrent(): void {
    this.#queue.runDue(this.seconds(), runLogged);
  }

  #inTimer = false;
  #onTimer = (): void => {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    this.#inTimer = true;
    try {
      this.runUntilCurrent();
    } finally {
      this.#inTimer = false;
      this.#arm();
    }
  };

  /** Arm the Node timer for the earliest pending call (or release it when there is none). */
  #arm(): void {
    const next =
      this.#queue.live > 0 && this.#state !== "stopped" ? this.#queue.earliest() : undefined;
    if (next === undefined) {
      this.#disarm();
      return;
    }
    if (this.#timer !== undefined && this.#armedFor <= next) return;
    this.#disarm();
    const ms = Math.ceil((next - this.seconds()) * 1000);
    if (ms <= 0) {
      this.#timer = setImmediate(this.#onTimer);
      this.#timerIsImmediate = true;
    } else {
      this.#timer = setTimeout(this.#onTimer, Math.min(ms, MAX_TIMER_MS));
      this.#timerIsImmediate = false;
    }
    this.#armedFor = next;
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    if (this.#timerIsImmediate) clearImmediate(this.#timer as NodeJS.Immediate);
    else clearTimeout(this.#timer as NodeJS.Timeout);
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
  }

  // --- IReactorCore -------------------------------------------------------------------------

  /** `true` from the `during` phase of startup to the `during` phase of shutdown. */
  get running(): boolean {
    return this.#running;
  }

  /**
   * Fire `startup` and keep the process alive until {@link ReactorBase.stop}. While running,
   * SIGINT and SIGTERM stop the reactor (unless `installSignalHandlers` is `false`); the
   * handlers are removed when it has stopped.
   *
   * @returns A promise that resolves once `stop()` was called and every shutdown trigger ran.
   *   It rejects with {@link ReactorAlreadyRunning} if the reactor is running, and with
   *   {@link ReactorNotRestartable} if it has already run and stopped.
   */
  run(options: RunOptions = {}): Promise<void> {
    if (this.#state === "started" || this.#state === "stopping")
      return Promise.reject(new ReactorAlreadyRunning());
    if (this.#state === "stopped") return Promise.reject(new ReactorNotRestartable());
    this.#state = "started";
    let resolveRun!: () => void;
    const finished = new Promise<void>((resolve) => {
      resolveRun = resolve;
    });
    this.#whenStopped = resolveRun;
    // Nothing else may be holding the loop open: an interval that never fires keeps the
    // process alive until stop(), as a reactor's main loop does.
    this.#keepAlive = setInterval(() => {}, MAX_TIMER_MS);
    if (options.installSignalHandlers ?? true) {
      this.#uninstallSignals = installSignalHandlers((signal) => this.#onSignal(signal));
    }
    this.#arm();
    this.fireSystemEvent("startup");
    return finished;
  }

  #whenStopped: (() => void) | undefined;

  /**
   * Stop the reactor: the `shutdown` event fires on the next turn of the event loop, and
   * `run()`'s promise resolves once its triggers ran.
   *
   * @throws ReactorNotRunning if the reactor is not running, or is already stopping.
   */
  stop(): void {
    if (this.#state !== "started") throw new ReactorNotRunning();
    this.#state = "stopping";
    setImmediate(() => {
      this.fireSystemEvent("shutdown").addCallback(() => this.#afterShutdown());
    });
  }

  #afterShutdown(): void {
    this.#state = "stopped";
    this.#uninstallSignals?.();
    this.#uninstallSignals = undefined;
    clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
    // Pending calls stay pending (getDelayedCalls still lists them) but no timer holds the
    // process open any more: a stopped reactor does not run again.
    this.#disarm();
    this.#whenStopped?.();
  }

  #onSignal(signal: NodeJS.Signals): void {
    if (this.#state !== "started") {
      log.info("Received {signal} while shutting down, ignoring it.", { signal });
      return;
    }
    log.info("Received {signal}, shutting down.", { signal });
    this.exitSignal = signal;
    this.stop();
  }

  /**
   * Called in the `during` phase of shutdown, after `running` turned false. The base class has
   * nothing to disconnect; the Node reactor closes its ports and connections here.
   */
  protected disconnectAll(): void {}

  /**
   * Call `fn(...args)` once the reactor is running: now if it is (an exception then reaches
   * the caller), otherwise as an `after startup` trigger.
   *
   * @returns The trigger id when the call was deferred, `undefined` when it ran now.
   */
  callWhenRunning<A extends unknown[]>(
    fn: (...args: A) => unknown,
    ...args: A
  ): SystemEventTrigger | undefined {
    if (this.#running) {
      fn(...args);
      return undefined;
    }
    return this.addSystemEventTrigger("after", "startup", fn, ...args);
  }

  /**
   * Add a trigger for `phase` of `event`. A `before` trigger may return a Deferred or a
   * promise: the event waits until it settles. A trigger's exception or failure is logged and
   * stops neither the other triggers nor the event. Each trigger runs once.
   *
   * @returns The id to pass to {@link ReactorBase.removeSystemEventTrigger}.
   * @throws TypeError for an unknown phase or a non-function.
   */
  addSystemEventTrigger<A extends unknown[]>(
    phase: SystemEventPhase,
    event: SystemEvent,
    fn: (...args: A) => unknown,
    ...args: A
  ): SystemEventTrigger {
    return this.#event(event).addTrigger(phase, fn as (...args: unknown[]) => unknown, args);
  }

  /**
   * Remove a trigger that has not run yet; removing one that already ran does nothing.
   *
   * @throws TypeError if `id` is not a trigger id of this reactor or was already removed.
   */
  removeSystemEventTrigger(id: unknown): void {
    const event = (id as SystemEventTrigger | null)?.event;
    if (
      !(event instanceof ThreePhaseEvent) ||
      this.#events.get(event.name as SystemEvent) !== event
    ) {
      throw new TypeError("Invalid system event trigger id");
    }
    event.removeTrigger(id as SystemEventTrigger);
  }

  /**
   * Run the triggers of `event`: `before`, then (once what they returned settled) `during`
   * and `after`. `run()` and `stop()` fire `startup` and `shutdown`; call this yourself only
   * for tests.
   *
   * @returns A Deferred that fires once the `after` triggers ran; it never fails.
   */
  fireSystemEvent(event: SystemEvent): Deferred<void> {
    return this.#event(event).fire();
  }

  #event(event: SystemEvent): ThreePhaseEvent {
    let triggers = this.#events.get(event);
    if (triggers === undefined) {
      if (event !== "startup" && event !== "shutdown")
        throw new TypeError(`Invalid system event: ${String(event)}`);
      triggers = new ThreePhaseEvent(event);
      this.#events.set(event, triggers);
    }
    return triggers;
  }
}

/** Run a delayed call; what it throws is logged, never left to reach Node's event loop. */
function runLogged(call: DelayedCall): void {
  try {
    call.invoke();
  } catch (error) {
    log.failure("Unhandled error in a delayed call {call}", Failure.from(error), {
      call: String(call),
    });
  }
}
