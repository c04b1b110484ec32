// A global lock: a mutex shared by every process of the server, held in a few words of shared memory.
// The lock word holds the holder's pid (0: free). When a holder dies, the master marks the word
// ABANDONED as it reaps the child; a waiter that finds a holder no longer running takes the lock
// over itself. Either way the next holder is told "recovered": the data the lock protects may have
// been left half-updated. Atomics.wait needs a SharedArrayBuffer, which a mapped file is not, so a
// waiter polls, backing off, and never blocks the event loop.
import { DroverError, ErrorCode } from "../../errors.ts";
import { isRunning } from "../../util/process-alive.ts";

/** What taking the lock found: "recovered" when the previous holder died holding it. */
export type LockResult = "acquired" | "recovered";

export interface LockOptions {
  /** Give up after this long, rejecting with DROVER_ERR_LOCK_TIMEOUT. Default: wait as long as it takes. */
  readonly timeoutMs?: number;
  /** Give up when aborted, rejecting with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Bytes of shared memory a lock takes. */
export const LOCK_BYTES = 64;

// Int32 indexes of the lock's words.
const HOLDER = 0;
const RECOVERIES = 1;
// The holder word of a lock whose holder died and that nobody has taken since.
const ABANDONED = -1;
// A waiter checks whether the holder still runs this often (the master usually marks it first).
const LIVENESS_CHECK_MS = 100;
const MAX_BACKOFF_MS = 8;

interface Waiter {
  readonly resolve: (result: LockResult) => void;
  readonly reject: (error: unknown) => void;
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
}

export class GlobalLock {
  /** The module that created the lock. */
  readonly module: string;
  readonly name: string;
  readonly #words: Int32Array;
  readonly #pid = process.pid;
  readonly #waiters: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;
  #backoffMs = 0;
  #watched = { holder: 0, since: 0 };

  constructor(module: string, name: string, memory: ArrayBuffer) {
    this.module = module;
    this.name = name;
    this.#words = new Int32Array(memory, 0, LOCK_BYTES / 4);
  }

  /** Takes the lock if it is free, at once: "acquired" or "recovered", or false when another holds it. */
  tryLock(): LockResult | false {
    const holder = Atomics.load(this.#words, HOLDER);
    if (holder === 0 && Atomics.compareExchange(this.#words, HOLDER, 0, this.#pid) === 0) return "acquired";
    if (
      holder === ABANDONED &&
      Atomics.compareExchange(this.#words, HOLDER, ABANDONED, this.#pid) === ABANDONED
    ) {
      Atomics.add(this.#words, RECOVERIES, 1);
      return "recovered";
    }
    return false;
  }

  /**
   * Waits for the lock without blocking the event loop. Callers in one process take it in the order
   * they asked. Not reentrant: a process that holds the lock and asks again waits for its own unlock.
   */
  lock(options: LockOptions = {}): Promise<LockResult> {
    options.signal?.throwIfAborted();
    if (this.#waiters.length === 0) {
      const result = this.tryLock();
      if (result) return Promise.resolve(result);
    }
    return new Promise((resolve, reject) => {
      const deadline =
        options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
      this.#waiters.push({ resolve, reject, deadline, signal: options.signal });
      options.signal?.addEventListener("abort", () => this.#poll(), { once: true });
      this.#schedule(0);
    });
  }

  /** Releases the lock; throws DROVER_ERR_LOCK_NOT_HELD when this process does not hold it. */
  unlock(): void {
    if (Atomics.compareExchange(this.#words, HOLDER, this.#pid, 0) !== this.#pid) {
      throw new DroverError(
        ErrorCode.LOCK_NOT_HELD,
        `module "${this.module}" unlocked its lock "${this.name}", which this process (pid ${this.#pid}) does not hold: unlock only after lock() or tryLock() succeeded, once.`,
      );
    }
    if (this.#waiters.length > 0) this.#schedule(0);
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

  /** Whether this process holds the lock. */
  get held(): boolean {
    return Atomics.load(this.#words, HOLDER) === this.#pid;
  }

  /** How many times a holder died holding the lock and another took it over. */
  get recoveries(): number {
    return Atomics.load(this.#words, RECOVERIES);
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#poll();
    }, delayMs);
  }

  #poll(): void {
    const now = Date.now();
    for (const waiter of [...this.#waiters]) {
      const error = waiter.signal?.aborted
        ? waiter.signal.reason
        : now >= waiter.deadline
          ? this.#timeout()
          : undefined;
      if (error === undefined) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.reject(error);
    }
    const head = this.#waiters[0];
    if (head === undefined) return;
    const result = this.tryLock() || this.#takeOverFromDeadHolder(now);
    if (result) {
      this.#waiters.shift();
      this.#backoffMs = 0;
      head.resolve(result);
      return;
    }
    // Look again soon, then less often; held by this process, its unlock() looks again at once.
    this.#schedule(this.held ? MAX_BACKOFF_MS : this.#backoffMs);
    this.#backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(1, this.#backoffMs * 2));
  }

  #timeout(): DroverError {
    return new DroverError(
      ErrorCode.LOCK_TIMEOUT,
      `module "${this.module}" waited too long for its lock "${this.name}", held by pid ${Atomics.load(this.#words, HOLDER)}: raise the timeout, or find why the holder keeps it.`,
    );
  }

  // The master marks a dead child's lock as it reaps it; this covers a holder the master does not reap.
  #takeOverFromDeadHolder(now: number): LockResult | false {
    const holder = Atomics.load(this.#words, HOLDER);
    if (holder <= 0 || holder === this.#pid) return false;
    if (this.#watched.holder !== holder) {
      this.#watched = { holder, since: now };
      return false;
    }
    if (now - this.#watched.since < LIVENESS_CHECK_MS) return false;
    this.#watched.since = now;
    if (isRunning(holder)) return false;
    if (Atomics.compareExchange(this.#words, HOLDER, holder, this.#pid) !== holder) return false;
    Atomics.add(this.#words, RECOVERIES, 1);
    return "recovered";
  }
}

/** Marks the lock abandoned if `pid` (which has exited) held it; true if it did. */
export function abandonLock(memory: ArrayBuffer, pid: number): boolean {
  const words = new Int32Array(memory, 0, LOCK_BYTES / 4);
  return Atomics.compareExchange(words, HOLDER, pid, ABANDONED) === pid;
}
