// A global lock: a mutex shared by every process of the server, in a few KiB of shared memory
// (ticket-words.ts: a ticket lock, FIFO across processes). A GlobalLock object waits with one ticket
// at a time; its own callers queue here, in order, and each gets a turn of its own, so the lock goes
// round the processes in turn and a caller that asks again at once goes behind the others.
//
// A waiter sleeps in a native thread on its ticket's word (src/native/futex.ts) until a release
// gives it the turn: the event loop never blocks and never polls. Every LIVENESS_CHECK_MS the
// sleeper also looks at the head of the queue and passes over an owner that no longer runs (the
// master usually says so first, with abandonLock, as it reaps a child). The next holder after one
// that died holding the lock is told "recovered".
import { type WordWatch, wake, watchWord } from "../../native/futex.ts";
import { WordGuard } from "../../native/word-guard.ts";
import { LockCallers } from "./lock-callers.ts";
import {
  badMemory,
  checkLockOptions,
  type LockOptions,
  type LockResult,
  notHeld,
  takenOver,
  timedOut,
} from "./lock-options.ts";
import { SELF } from "./lock-owner.ts";
import { wakeSoon } from "./lock-wakes.ts";
import { MIN_LOCK_BYTES, type SleepWord, TicketWords } from "./ticket-words.ts";

export type { LockOptions, LockResult } from "./lock-options.ts";
export { LOCK_BYTES } from "./ticket-words.ts";

// How often a waiter looks whether the head of the queue still runs.
const LIVENESS_CHECK_MS = 100;

export class GlobalLock {
  /** The module that created the lock. */
  readonly module: string;
  readonly name: string;
  readonly #memory: ArrayBuffer;
  readonly #tickets: TicketWords;
  readonly #queue = new LockCallers((left) => this.#callerLeft(left));
  /** The ticket this object waits with, or holds the lock with. */
  #ticket: number | undefined;
  #holding = false;
  /** Waiting for room in the ring, with no ticket yet. */
  #forRoom = false;
  #watch: WordWatch | undefined;
  #unclaimedHead: number | undefined;
  /** Gives the ticket up should this thread end (a terminated worker) before this object does. */
  #exitGuard: WordGuard | undefined;

  constructor(module: string, name: string, memory: ArrayBuffer) {
    this.module = module;
    this.name = name;
    if (!(memory instanceof ArrayBuffer) || memory.byteLength < MIN_LOCK_BYTES) {
      throw badMemory(this, memory, MIN_LOCK_BYTES);
    }
    this.#memory = memory;
    this.#tickets = new TicketWords(memory, wakeSoon(memory));
  }

  /** Takes the lock if nobody holds it or waits for it, at once: "acquired" or "recovered", or false. */
  tryLock(): LockResult | false {
    if (this.#holding || this.#ticket !== undefined || this.#forRoom) return false;
    const ticket = this.#tickets.takeTicket(true);
    if (ticket === undefined || !this.#tickets.claim(ticket, SELF)) return false;
    const result = this.#tickets.take(ticket);
    // Always its turn: nobody was ahead, and nothing moves the turn past a claimed ticket but its owner.
    if (result === "wait" || result === "skipped") return false;
    this.#own(ticket);
    this.#holding = true;
    return result;
  }

  /**
   * Waits for the lock without blocking the event loop. Callers of this object take it in the order
   * they asked, each in its turn among the other processes. Not reentrant: a caller that holds the
   * lock and asks again waits for its own unlock.
   */
  lock(options: LockOptions = {}): Promise<LockResult> {
    let timeoutMs: number | undefined;
    let signal: AbortSignal | undefined;
    try {
      ({ timeoutMs, signal } = checkLockOptions(this, options));
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#queue.length === 0) {
      const result = this.tryLock();
      if (result) return Promise.resolve(result);
    }
    const waiting = this.#queue.add(timeoutMs, signal, () => timedOut(this, this.#tickets.headPid()));
    if (!this.#holding && this.#ticket === undefined && !this.#forRoom) this.#safely(() => this.#join());
    return waiting;
  }

  /** Releases the lock; throws DROVER_ERR_LOCK_NOT_HELD when this object does not hold it. */
  unlock(): void {
    const ticket = this.#ticket;
    if (!this.#holding || ticket === undefined) throw notHeld(this);
    this.#holding = false;
    this.#own(undefined);
    // The next caller of this object takes its ticket before the turn passes on: it asked before
    // anyone who asks from now on, a tryLock() of another process at this very moment included.
    let released = false;
    const failure = this.#safely(() => {
      const next = this.#queue.length > 0 ? this.#claimTicket() : undefined;
      released = this.#tickets.release(ticket);
      if (next !== undefined) this.#tryTake(next);
      else if (this.#queue.length > 0) this.#join();
    });
    if (failure !== undefined) throw failure;
    if (!released) throw takenOver(this);
  }

  /** Runs `critical` holding the lock, and releases it however `critical` ends. */
  async withLock<T>(critical: (result: LockResult) => T | Promise<T>, options?: LockOptions): Promise<T> {
    const result = await this.lock(options);
    try {
      return await critical(result);
    } finally {
      this.unlock();
    }
  }

  /** Whether this lock object holds the lock. */
  get held(): boolean {
    return this.#holding && this.#ticket !== undefined && this.#tickets.holds(this.#ticket);
  }

  /** How many times a holder died holding the lock and another took it over. */
  get recoveries(): number {
    return this.#tickets.recoveries;
  }

  // The ticket this object waits with or holds, from now on (none: undefined).
  #own(ticket: number | undefined): void {
    this.#ticket = ticket;
    if (ticket === undefined) {
      this.#exitGuard?.clear();
      return;
    }
    const { byteOffset, values, gone } = this.#tickets.exitGuard(ticket);
    this.#exitGuard ??= new WordGuard(this.#memory);
    this.#exitGuard.set(byteOffset, values, gone);
  }

  // Takes a ticket for the head of the queue, and the lock if it is its turn already.
  #join(): void {
    const ticket = this.#claimTicket();
    if (ticket === undefined) this.#sleep(this.#tickets.sleepForRoom(), true);
    else this.#tryTake(ticket);
  }

  // A ticket of this object's, claimed; undefined when the ring is full.
  #claimTicket(): number | undefined {
    for (;;) {
      const ticket = this.#tickets.takeTicket();
      if (ticket === undefined) return undefined;
      // Not claimed only if passed over already (its owner deemed dead): take another.
      if (!this.#tickets.claim(ticket, SELF)) continue;
      this.#own(ticket);
      return ticket;
    }
  }

  #tryTake(ticket: number): void {
    const result = this.#tickets.take(ticket);
    if (result === "wait") {
      if (this.#watch === undefined) this.#sleep(this.#tickets.sleep(ticket), false);
      return;
    }
    this.#wakeUp();
    if (result === "skipped") {
      this.#own(undefined);
      this.#join();
      return;
    }
    this.#holding = true;
    // Nobody to give it to cannot happen (the last caller to leave gives the ticket up), but would
    // leave the lock held for good.
    if (!this.#queue.grant(result)) this.unlock();
  }

  #sleep(word: SleepWord, forRoom: boolean): void {
    this.#forRoom = forRoom;
    this.#watch = watchWord(this.#memory, word.byteOffset, word.expected, LIVENESS_CHECK_MS, {
      onChange: () => this.#safely(() => this.#woken(true)),
      onTick: () => this.#safely(() => this.#woken(false)),
    });
  }

  #woken(changed: boolean): void {
    this.#unclaimedHead = this.#tickets.skipDeadHead(this.#unclaimedHead);
    if (this.#forRoom) {
      this.#wakeUp();
      this.#join();
      return;
    }
    const ticket = this.#ticket;
    if (ticket === undefined) return;
    if (changed) this.#wakeUp();
    this.#tryTake(ticket);
  }

  // Ends a sleep, and says so in the shared words.
  #wakeUp(): void {
    this.#watch?.close();
    this.#watch = undefined;
    if (this.#forRoom) this.#tickets.roomAwake();
    else if (this.#ticket !== undefined) this.#tickets.awake(this.#ticket);
    this.#forRoom = false;
  }

  // A caller timed out or was aborted; the last one to leave gives the ticket up.
  #callerLeft(left: number): void {
    if (left > 0 || this.#holding) return;
    this.#safely(() => {
      this.#wakeUp();
      if (this.#ticket !== undefined) this.#tickets.giveUp(this.#ticket);
      this.#own(undefined);
    });
  }

  // Should a step fail (the memory closed and unmapped under us, no thread to wait in), every waiter
  // hears of it, and the ticket is given up so as not to hold up the other processes.
  #safely(step: () => void): unknown {
    try {
      step();
      return undefined;
    } catch (error) {
      const ticket = this.#holding ? undefined : this.#ticket;
      try {
        this.#wakeUp();
        if (ticket !== undefined) this.#tickets.giveUp(ticket);
      } catch {
        // The memory is gone: there is nothing left to give up.
      }
      if (!this.#holding) this.#own(undefined);
      this.#queue.rejectAll(error);
      return error;
    }
  }
}

/**
 * Gives up what the exited process `pid` held or waited for with the lock in `memory`: those waiting
 * behind it go on, and the next holder is told "recovered". True if it held the lock.
 */
export function abandonLock(memory: ArrayBuffer, pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  return new TicketWords(memory, (byteOffset) => wake(memory, byteOffset)).abandon(pid);
}
