/**
 * {@link LogPublisher}, the fan-out observer, after `twisted.logger._observer`.
 *
 * @module
 */

import { inspect } from "node:util";
import { Failure } from "../failure.ts";
import { callableBase } from "./callable.ts";
import { type ILogObserver, type LogEvent, makeEvent } from "./event.ts";

/**
 * The message reported when an observer throws; `observer` and `log_failure` are the event's
 * fields. The observer stays registered, as in Twisted (the name is historical).
 */
export const OBSERVER_DISABLED =
  "Temporarily disabling observer {observer} due to exception: {log_failure}";

/**
 * Base of the observer classes: an instance is a function (calling it calls `observe`), so
 * it can be passed wherever an {@link ILogObserver} goes, as Twisted's observers are
 * callables.
 */
export interface LogObserver {
  (event: LogEvent): void;
  /** Receive one event. */
  observe(event: LogEvent): void;
}

/** Constructor of {@link LogObserver}: extend it and implement `observe`. */
export const LogObserver: abstract new () => LogObserver = callableBase(
  "observe",
) as abstract new () => LogObserver;

/**
 * An observer that forwards each event to the observers added to it, in order.
 *
 * The instance is itself an observer (call it, or call {@link LogPublisher.observe}), so
 * publishers nest and a publisher can be given to `new Logger(namespace, source, publisher)`.
 *
 * An observer that throws does not stop the others: once all have seen the event, the error
 * is reported (at `critical`, {@link OBSERVER_DISABLED}) to every observer but the one that
 * threw. Errors thrown while reporting are dropped, so a broken observer can neither crash
 * the caller nor start an endless chain of reports.
 */
export class LogPublisher extends LogObserver {
  #observers: ILogObserver[];

  constructor(...observers: ILogObserver[]) {
    super();
    this.#observers = [];
    for (const o of observers) this.addObserver(o);
  }

  /**
   * Register an observer; adding one already registered does nothing.
   *
   * @throws {TypeError} if `observer` is not callable.
   */
  addObserver(observer: ILogObserver): void {
    if (typeof observer !== "function") {
      throw new TypeError(`Observer is not callable: ${inspect(observer)}`);
    }
    if (!this.#observers.includes(observer)) this.#observers.push(observer);
  }

  /** Unregister an observer; removing one that is not registered does nothing. */
  removeObserver(observer: ILogObserver): void {
    const i = this.#observers.indexOf(observer);
    if (i >= 0) this.#observers.splice(i, 1);
  }

  /** The registered observers, in order (a copy). */
  get observers(): readonly ILogObserver[] {
    return [...this.#observers];
  }

  /** Forward `event` to every registered observer. Never throws. */
  override observe(event: LogEvent): void {
    // A copy: observers may add or remove observers while the event is delivered.
    const observers = this.#observers.slice();
    let broken: [ILogObserver, unknown][] | undefined;
    for (const observer of observers) {
      try {
        observer(event);
      } catch (error) {
        (broken ??= []).push([observer, error]);
      }
    }
    if (broken === undefined) return;
    for (const [observer, error] of broken) {
      const report = makeEvent("critical", OBSERVER_DISABLED, "torsion.logger", this, {
        observer,
        log_failure: Failure.from(error),
      });
      for (const other of observers) {
        if (other === observer) continue;
        try {
          other(report);
        } catch {
          // Reporting the report would recurse (Twisted bounds it by the number of
          // observers, at factorial cost when all are broken); one report is enough.
        }
      }
    }
  }
}

/** An observer that discards every event (Twisted's `bitbucketLogObserver`). */
export const bitbucketLogObserver: ILogObserver = (_event: LogEvent): void => {};
