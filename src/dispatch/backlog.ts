// The calls waiting for a drone, oldest first (a call back from another host goes back among them by
// its first arrival; a retry goes to the front), bounded by maxBacklog. A call that settles while it
// waits (its deadline passed, its caller cancelled) is dropped where it is and skipped when its turn
// comes: it is never run. Dropped calls are swept out once they outnumber those waiting, so a backlog
// whose drones are all stuck while calls keep expiring holds no more than about twice what waits.
import type { Call } from "./call.ts";

// Fewer dropped calls than this are left for their turn.
const SWEEP_AT = 64;

export class Backlog {
  #calls: Call[] = [];
  #head = 0;
  #waiting = 0;
  #dropped = 0;
  #highWater = 0;

  /** Calls waiting now (settled ones not counted). */
  get length(): number {
    return this.#waiting;
  }

  /** Calls held, the dropped ones not yet swept out included. */
  get held(): number {
    return this.#calls.length - this.#head;
  }

  /** The most calls that have waited at once. */
  get highWater(): number {
    return this.#highWater;
  }

  push(call: Call): void {
    // Nearly always the newest: then this is a plain push.
    let at = this.#calls.length;
    while (at > this.#head && (this.#calls[at - 1] as Call).arrivedAt > call.arrivedAt) at--;
    if (at === this.#calls.length) this.#calls.push(call);
    else if (at === this.#head && this.#head > 0) this.#calls[--this.#head] = call;
    else this.#calls.splice(at, 0, call);
    this.#waiting++;
    if (this.#waiting > this.#highWater) this.#highWater = this.#waiting;
  }

  /** Puts a call back at the front (a retry goes before newer calls). */
  unshift(call: Call): void {
    if (this.#head > 0) this.#calls[--this.#head] = call;
    else this.#calls.unshift(call);
    this.#waiting++;
    if (this.#waiting > this.#highWater) this.#highWater = this.#waiting;
  }

  /** The call settled while it waited: it no longer counts. */
  dropped(): void {
    this.#waiting--;
    if (++this.#dropped >= SWEEP_AT && this.#dropped > this.#waiting) this.#sweep();
  }

  /** The oldest call still unsettled, taken out; undefined when none waits. */
  shift(): Call | undefined {
    while (this.#head < this.#calls.length) {
      const call = this.#calls[this.#head++] as Call;
      if (call.settled) {
        this.#dropped = Math.max(0, this.#dropped - 1);
        continue;
      }
      this.#waiting--;
      this.#compact();
      return call;
    }
    this.#compact();
    return undefined;
  }

  /** The oldest unsettled call that `accept` takes, taken out; undefined when none does. */
  shiftWhere(accept: (call: Call) => boolean): Call | undefined {
    for (let at = this.#head; at < this.#calls.length; at++) {
      const call = this.#calls[at] as Call;
      if (call.settled || !accept(call)) continue;
      if (at === this.#head) this.#head++;
      else this.#calls.splice(at, 1);
      this.#waiting--;
      this.#compact();
      return call;
    }
    return undefined;
  }

  /** Takes every waiting call out (a stop, a service gone). */
  drain(): Call[] {
    const left = this.#calls.slice(this.#head).filter((call) => !call.settled);
    this.#calls = [];
    this.#head = 0;
    this.#waiting = 0;
    this.#dropped = 0;
    return left;
  }

  #sweep(): void {
    this.#calls = this.#calls.slice(this.#head).filter((call) => !call.settled);
    this.#head = 0;
    this.#dropped = 0;
  }

  #compact(): void {
    if (this.#head === this.#calls.length) {
      this.#calls = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#calls.length) {
      this.#calls = this.#calls.slice(this.#head);
      this.#head = 0;
    }
  }
}
