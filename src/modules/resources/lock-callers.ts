// The callers of one lock object that wait for it, in the order they asked: each with its timeout
// and abort listener, both removed however its wait ends.
import type { LockResult } from "./lock-options.ts";

interface Caller {
  readonly resolve: (result: LockResult) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort?: () => void;
  timer?: NodeJS.Timeout;
}

export class LockCallers {
  readonly #waiting: Caller[] = [];
  /** Called once a caller left on its timeout or abort, with the callers left. */
  readonly #onLeave: (left: number) => void;

  constructor(onLeave: (left: number) => void) {
    this.#onLeave = onLeave;
  }

  get length(): number {
    return this.#waiting.length;
  }

  /** Queues a caller: it gives up after `timeoutMs` (rejecting with `timeoutError()`) or on abort. */
  add(timeoutMs: number | undefined, signal: AbortSignal | undefined, timeoutError: () => unknown) {
    return new Promise<LockResult>((resolve, reject) => {
      const caller: Caller = { resolve, reject, signal };
      if (timeoutMs !== undefined)
        caller.timer = setTimeout(() => this.#leave(caller, timeoutError()), timeoutMs);
      if (signal !== undefined) {
        caller.onAbort = () => this.#leave(caller, signal.reason);
        signal.addEventListener("abort", caller.onAbort, { once: true });
      }
      this.#waiting.push(caller);
    });
  }

  /** The first caller gets the lock; false if there was none. */
  grant(result: LockResult): boolean {
    const caller = this.#waiting.shift();
    if (caller === undefined) return false;
    this.#settle(caller);
    caller.resolve(result);
    return true;
  }

  /** Every caller gets `error`. */
  rejectAll(error: unknown): void {
    for (const caller of this.#waiting.splice(0)) {
      this.#settle(caller);
      caller.reject(error);
    }
  }

  #leave(caller: Caller, error: unknown): void {
    const at = this.#waiting.indexOf(caller);
    if (at < 0) return;
    this.#waiting.splice(at, 1);
    this.#settle(caller);
    caller.reject(error);
    this.#onLeave(this.#waiting.length);
  }

  #settle(caller: Caller): void {
    clearTimeout(caller.timer);
    if (caller.onAbort !== undefined) caller.signal?.removeEventListener("abort", caller.onAbort);
  }
}
