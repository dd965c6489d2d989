/**
 * {@link Cooperator}, {@link CooperativeTask}, {@link cooperate} and {@link coiterate}:
 * time-sliced iteration of generators (Twisted's `task.Cooperator`).
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import { isThenable } from "../deferred/thenable.ts";
import {
  NotPaused,
  SchedulerStopped,
  TaskDone,
  TaskFailed,
  type TaskFinished,
  TaskStopped,
} from "../errors.ts";
import { Failure } from "../failure.ts";
import { Logger } from "../logger/logger.ts";
import { reactor } from "../reactor/default.ts";

const log = new Logger("torsion.task");

/** Something that can be cancelled: what a {@link CooperatorOptions.scheduler} returns. */
export interface Cancellable {
  cancel(): void;
}

/** Options for {@link Cooperator}. */
export interface CooperatorOptions {
  /**
   * Called at the start of each slice; returns a function that says when the slice is over.
   * Default: slices of 10 ms of real time, as Twisted's.
   */
  terminationPredicateFactory?: () => () => boolean;
  /**
   * Schedules the next slice: call `fn` later and return a handle to cancel it. Default:
   * `reactor.callLater(0, fn)`, which lets I/O run between slices. Tests pass a function that
   * collects the callbacks and run them by hand.
   */
  scheduler?: (fn: () => void) => Cancellable;
  /** Run tasks as soon as they are added (default), or only after {@link Cooperator.start}. */
  started?: boolean;
}

/** The slice length of the default termination predicate, in milliseconds. */
const MAX_SLICE_MS = 10;

function tenMillisecondSlices(): () => boolean {
  const end = performance.now() + MAX_SLICE_MS;
  return () => performance.now() >= end;
}

/** What a task hands its cooperator so the cooperator can drive it. */
interface TaskHooks {
  /** Do one unit of work (one `next()`). */
  step(): void;
  /** The cooperator stopped: complete with {@link SchedulerStopped}. */
  abort(): void;
}

/** The side of a {@link Cooperator} its tasks see. */
interface TaskHost {
  add(task: CooperativeTask, hooks: TaskHooks): void;
  remove(task: CooperativeTask): void;
}

/**
 * One iterator being run by a {@link Cooperator}: each `next()` is a unit of work. It can be
 * paused, resumed and stopped, and its end awaited with {@link CooperativeTask.whenDone}.
 * Made by {@link Cooperator.cooperate}.
 *
 * If the iterator yields a Deferred (or a promise) the task pauses until it settles; if it
 * fails, the task fails with that failure.
 */
export class CooperativeTask<T = unknown> {
  readonly #iterator: Iterator<T>;
  readonly #host: TaskHost;
  #whenDone: Deferred<Iterator<T>>[] = [];
  #pauseCount = 0;
  #finished: (new () => TaskFinished) | undefined;
  #result: Iterator<T> | Failure | undefined;

  /** @internal Use {@link Cooperator.cooperate}. */
  constructor(iterator: Iterator<T>, host: TaskHost) {
    this.#iterator = iterator;
    this.#host = host;
    host.add(this, this.#hooks());
  }

  /**
   * @returns A Deferred that fires with the iterator once it is exhausted, or fails with what
   *   it threw (or with the failure of a Deferred it yielded), with {@link TaskStopped} if the
   *   task was stopped, or with {@link SchedulerStopped} if its cooperator was.
   */
  whenDone(): Deferred<Iterator<T>> {
    const d = new Deferred<Iterator<T>>();
    if (this.#finished === undefined) this.#whenDone.push(d);
    else fire(d, this.#result!);
    return d;
  }

  /**
   * Stop doing work until {@link CooperativeTask.resume}; pauses nest (resume as many times).
   *
   * @throws TaskFinished (TaskDone, TaskStopped, TaskFailed) if the task has finished.
   */
  pause(): void {
    this.#checkFinished();
    this.#pauseCount += 1;
    if (this.#pauseCount === 1) this.#host.remove(this);
  }

  /**
   * Undo one {@link CooperativeTask.pause}.
   *
   * @throws NotPaused if the task is not paused.
   */
  resume(): void {
    if (this.#pauseCount === 0) throw new NotPaused();
    this.#pauseCount -= 1;
    if (this.#pauseCount === 0 && this.#finished === undefined) this.#host.add(this, this.#hooks());
  }

  /**
   * Stop this task for good: no more `next()` calls; the iterator's `return()` is called (so a
   * generator's `finally` blocks run) and `whenDone()` fails with {@link TaskStopped}.
   *
   * @throws TaskFinished (TaskDone, TaskStopped, TaskFailed) if the task has already finished.
   */
  stop(): void {
    this.#checkFinished();
    this.#close();
    this.#completeWith(TaskStopped, new Failure(new TaskStopped()));
  }

  #hooks(): TaskHooks {
    return { step: () => this.#step(), abort: () => this.#abort() };
  }

  #abort(): void {
    if (this.#finished !== undefined) return;
    this.#close();
    this.#completeWith(SchedulerStopped, new Failure(new SchedulerStopped()));
  }

  #step(): void {
    let item: IteratorResult<T>;
    try {
      item = this.#iterator.next();
    } catch (error) {
      this.#completeWith(TaskFailed, Failure.from(error));
      return;
    }
    if (item.done) {
      this.#completeWith(TaskDone, this.#iterator);
      return;
    }
    const value: unknown = item.value;
    if (value instanceof Deferred) {
      this.pause();
      value.addCallbacks(
        () => {
          this.resume();
        },
        (failure: Failure) => this.#failLater(failure),
      );
    } else if (isThenable(value)) {
      this.pause();
      value.then(
        () => this.resume(),
        (error: unknown) => this.#failLater(Failure.from(error)),
      );
    }
  }

  /** What the task was waiting for failed: the task fails (unless it already finished). */
  #failLater(failure: Failure): Failure | undefined {
    // Stopped while waiting: leave the failure in its Deferred, whose owner may handle it.
    if (this.#finished !== undefined) return failure;
    this.#completeWith(TaskFailed, failure);
    return undefined;
  }

  #completeWith(state: new () => TaskFinished, result: Iterator<T> | Failure): void {
    this.#finished = state;
    this.#result = result;
    if (this.#pauseCount === 0) this.#host.remove(this);
    // Fire only now that the task has left its cooperator: a callback may stop the cooperator
    // or touch other tasks.
    const waiting = this.#whenDone;
    this.#whenDone = [];
    for (const d of waiting) fire(d, result);
  }

  /** Let the iterator clean up (a generator's `finally`), logging what that throws. */
  #close(): void {
    try {
      this.#iterator.return?.();
    } catch (error) {
      log.failure("Error closing a stopped cooperative task's iterator", Failure.from(error));
    }
  }

  #checkFinished(): void {
    if (this.#finished !== undefined) throw new this.#finished();
  }
}

function fire<T>(d: Deferred<Iterator<T>>, result: Iterator<T> | Failure): void {
  if (result instanceof Failure) d.errback(result);
  else d.callback(result);
}

interface Entry {
  task: CooperativeTask<any>;
  hooks: TaskHooks;
}

/**
 * Runs iterators a slice at a time, sharing the time between them, so that long computations
 * do not block the event loop: each slice calls `next()` on the tasks in turn until the slice
 * is over (10 ms by default), then lets the event loop run before the next slice.
 *
 * ```ts
 * function* work() { for (const item of items) { process(item); yield; } }
 * await coiterate(work());
 * ```
 *
 * Several Cooperators do not share time with each other; most code uses the global one through
 * {@link cooperate} and {@link coiterate}.
 */
export class Cooperator {
  #tasks: Entry[] = [];
  /** Where the next slice resumes in `#tasks`, so work is shared round-robin across slices. */
  #cursor = 0;
  readonly #terminationPredicateFactory: () => () => boolean;
  readonly #scheduler: (fn: () => void) => Cancellable;
  #scheduled: Cancellable | undefined;
  #started: boolean;
  #stopped = false;
  #mustScheduleOnStart = false;
  readonly #host: TaskHost = {
    add: (task, hooks) => this.#addTask(task, hooks),
    remove: (task) => this.#removeTask(task),
  };

  /** @param options How slices end and are scheduled, and whether to start at once. */
  constructor(options: CooperatorOptions = {}) {
    this.#terminationPredicateFactory = options.terminationPredicateFactory ?? tenMillisecondSlices;
    this.#scheduler = options.scheduler ?? ((fn) => reactor.callLater(0, fn));
    this.#started = options.started ?? true;
  }

  /** `true` once started and until stopped. */
  get running(): boolean {
    return this.#started && !this.#stopped;
  }

  /** Run `iterator` (or the iterator of an iterable) as a task of this cooperator. */
  cooperate<T>(iterator: Iterator<T> | Iterable<T>): CooperativeTask<T> {
    return new CooperativeTask(toIterator(iterator), this.#host);
  }

  /**
   * Run `iterator` as a task and return its {@link CooperativeTask.whenDone} Deferred.
   *
   * @returns A Deferred that fires with the iterator once exhausted, or fails with what it
   *   threw, or with {@link SchedulerStopped} if this cooperator is stopped first.
   */
  coiterate<T>(iterator: Iterator<T> | Iterable<T>): Deferred<Iterator<T>> {
    return this.cooperate(iterator).whenDone();
  }

  /** Begin running slices (for a cooperator made with `started: false`, or stopped). */
  start(): void {
    this.#stopped = false;
    this.#started = true;
    if (this.#mustScheduleOnStart) {
      this.#mustScheduleOnStart = false;
      this.#reschedule();
    }
  }

  /**
   * Stop running slices. Every running task ends: its iterator's `return()` is called and its
   * `whenDone()` fails with {@link SchedulerStopped}; paused tasks end so when resumed, as do
   * tasks added until {@link Cooperator.start}.
   */
  stop(): void {
    this.#stopped = true;
    const tasks = this.#tasks;
    this.#tasks = [];
    this.#cursor = 0;
    this.#scheduled?.cancel();
    this.#scheduled = undefined;
    for (const entry of tasks) entry.hooks.abort();
  }

  #addTask(task: CooperativeTask<any>, hooks: TaskHooks): void {
    if (this.#stopped) {
      hooks.abort();
      return;
    }
    this.#tasks.push({ task, hooks });
    this.#reschedule();
  }

  #removeTask(task: CooperativeTask<any>): void {
    const i = this.#tasks.findIndex((entry) => entry.task === task);
    if (i < 0) return;
    this.#tasks.splice(i, 1);
    if (i < this.#cursor) this.#cursor -= 1;
    if (this.#tasks.length === 0 && this.#scheduled !== undefined) {
      this.#scheduled.cancel();
      this.#scheduled = undefined;
    }
  }

  #tick = (): void => {
    this.#scheduled = undefined;
    const sliceOver = this.#terminationPredicateFactory();
    while (this.#tasks.length > 0) {
      if (this.#cursor >= this.#tasks.length) this.#cursor = 0;
      const entry = this.#tasks[this.#cursor]!;
      this.#cursor += 1;
      entry.hooks.step();
      if (sliceOver()) break;
    }
    this.#reschedule();
  };

  #reschedule(): void {
    if (!this.#started) {
      this.#mustScheduleOnStart = true;
      return;
    }
    if (this.#scheduled === undefined && this.#tasks.length > 0) {
      this.#scheduled = this.#scheduler(this.#tick);
    }
  }
}

function toIterator<T>(iterator: Iterator<T> | Iterable<T>): Iterator<T> {
  if (typeof (iterator as Iterator<T>).next === "function") return iterator as Iterator<T>;
  return (iterator as Iterable<T>)[Symbol.iterator]();
}

let theCooperator: Cooperator | undefined;

/** The global cooperator, made on first use (so importing this module does nothing). */
function globalCooperator(): Cooperator {
  theCooperator ??= new Cooperator();
  return theCooperator;
}

/**
 * Run `iterator` on the global {@link Cooperator}, sharing time with every other task there.
 *
 * @returns The task, to pause, resume, stop or await ({@link CooperativeTask.whenDone}).
 */
export function cooperate<T>(iterator: Iterator<T> | Iterable<T>): CooperativeTask<T> {
  return globalCooperator().cooperate(iterator);
}

/**
 * Run `iterator` on the global {@link Cooperator}.
 *
 * @returns A Deferred that fires with the iterator once it is exhausted, or fails with what
 *   it threw (or with the failure of a Deferred it yielded).
 */
export function coiterate<T>(iterator: Iterator<T> | Iterable<T>): Deferred<Iterator<T>> {
  return globalCooperator().coiterate(iterator);
}
