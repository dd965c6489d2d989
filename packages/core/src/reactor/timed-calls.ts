/**
 * {@link TimedCallQueue}: the reactor's pending {@link DelayedCall}s, ordered by time.
 *
 * @module
 */
import type { DelayedCall } from "./delayed-call.ts";

/** One filing of a call in the heap. A call moved sooner gets a new entry; the old one is garbage. */
interface Entry {
  call: DelayedCall;
  /** The call's `time` when filed; the entry is current only while they agree. */
  time: number;
  /** Tie-breaker: calls due at the same time run in the order they were filed. */
  seq: number;
}

/**
 * A binary min-heap of delayed calls, as Twisted's reactor keeps them.
 *
 * Cancelling a call leaves its entry in place (it is skipped when it comes up); moving a call
 * later only changes the call (it is re-filed when its old time comes up); moving it sooner
 * files a new entry. The garbage this leaves is swept when it passes half the heap.
 */
export class TimedCallQueue {
  #heap: Entry[] = [];
  /** Calls filed while {@link TimedCallQueue.runDue} runs: they wait for the next run. */
  #new: Entry[] = [];
  #running = false;
  #seq = 0;
  #garbage = 0;
  #live = 0;

  /** How many calls are pending (neither run nor cancelled). */
  get live(): number {
    return this.#live;
  }

  /** File a new call. */
  add(call: DelayedCall): void {
    this.#live += 1;
    this.#file(call);
  }

  /** A pending call was cancelled. */
  cancelled(_call: DelayedCall): void {
    this.#live -= 1;
    this.#garbage += 1;
    this.#maybeSweep();
  }

  /**
   * A pending call's time changed. Returns `true` if it may now be due sooner than before (the
   * caller re-arms its timer).
   */
  rescheduled(call: DelayedCall): boolean {
    // Moving later only grows `delayedTime`; anything else leaves it at 0 and may have moved
    // `time` sooner, so file the call again (the old entry becomes garbage).
    if (call.delayedTime > 0) return false;
    this.#garbage += 1;
    this.#file(call);
    return true;
  }

  /** The time of the earliest entry (possibly garbage, which only wakes the reactor early). */
  earliest(): number | undefined {
    return this.#heap[0]?.time;
  }

  /**
   * Run every call due at `now` with `run(call)`, in time order. Calls filed meanwhile wait for
   * the next run, so a call that schedules another for "now" cannot starve the event loop.
   */
  runDue(now: number, run: (call: DelayedCall) => void): void {
    this.#running = true;
    try {
      const heap = this.#heap;
      while (heap.length > 0 && heap[0]!.time <= now) {
        const entry = this.#pop();
        const call = entry.call;
        if (!call.active() || entry.time !== call.time) {
          this.#garbage -= 1;
          continue;
        }
        if (call.delayedTime > 0) {
          // Moved later since it was filed: file it at its new time.
          call.activateDelay();
          entry.time = call.time;
          this.#push(entry);
          continue;
        }
        this.#live -= 1;
        run(call);
      }
    } finally {
      this.#running = false;
      const added = this.#new;
      this.#new = [];
      for (const entry of added) this.#push(entry);
      this.#maybeSweep();
    }
  }

  /** Every pending call, in no particular order. */
  pending(): DelayedCall[] {
    const calls = new Set<DelayedCall>();
    for (const entry of [...this.#heap, ...this.#new]) {
      if (entry.call.active()) calls.add(entry.call);
    }
    return [...calls];
  }

  #file(call: DelayedCall): void {
    const entry: Entry = { call, time: call.time, seq: this.#seq++ };
    if (this.#running) this.#new.push(entry);
    else this.#push(entry);
  }

  #maybeSweep(): void {
    if (this.#running || this.#garbage < 64 || this.#garbage < this.#heap.length / 2) return;
    const seen = new Set<DelayedCall>();
    const kept: Entry[] = [];
    // Walk newest filings first so a call's current entry is the one kept.
    for (let i = this.#heap.length - 1; i >= 0; i--) {
      const entry = this.#heap[i]!;
      const call = entry.call;
      if (call.active() && entry.time === call.time && !seen.has(call)) {
        seen.add(call);
        kept.push(entry);
      }
    }
    // A sorted array is a valid heap.
    this.#heap = kept.sort(compare);
    this.#garbage = 0;
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    let i = heap.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compare(heap[parent]!, entry) <= 0) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): Entry {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && compare(heap[right]!, heap[left]!) < 0 ? right : left;
        if (compare(heap[child]!, last) >= 0) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

function compare(a: Entry, b: Entry): number {
  return a.time - b.time || a.seq - b.seq;
}
