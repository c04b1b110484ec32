// A call's ctx.signal, made only when the method looks at it: most methods never do, and an
// AbortController with a deadline timer for every call is a measurable part of a trivial call's cost
// (bench:dispatch's profile). Whenever it is made, it is as it would have been: aborted already if
// an ABORT or the deadline came first, else armed for the deadline.
import { DroverError, ErrorCode } from "../errors.ts";

// A header's timeout may be 2^31 ms, one more than a timer takes.
const MAX_TIMER_MS = 2 ** 31 - 1;

export class CallSignal {
  #controller: AbortController | undefined;
  #reason: unknown;
  #timer: NodeJS.Timeout | undefined;
  readonly #deadlineAt: number | undefined;
  readonly #method: string;
  readonly #timeoutMs: number | undefined;

  /** At its deadline, `timeoutMs` after now, the signal aborts with DISPATCH_TIMEOUT naming `method`. */
  constructor(timeoutMs: number | undefined, method: string) {
    this.#deadlineAt = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    this.#method = method;
    this.#timeoutMs = timeoutMs;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
      else if (this.#deadlineAt !== undefined) {
        const left = this.#deadlineAt - Date.now();
        if (left <= 0) this.#expire();
        else this.#timer = setTimeout(() => this.#expire(), Math.min(left, MAX_TIMER_MS));
      }
    }
    return this.#controller.signal;
  }

  /** Why it aborted, once it has. */
  get reason(): unknown {
    return this.#reason;
  }

  /** The first reason wins. */
  abort(reason: unknown): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    clearTimeout(this.#timer);
    this.#controller?.abort(reason);
  }

  /**
   * The call is over for the master: an ABORT came (its deadline or its caller's cancel), the drone
   * stops, or its deadline passed, whether or not the signal was made (a method that never reads it).
   */
  get ended(): boolean {
    return this.#reason !== undefined || (this.#deadlineAt !== undefined && Date.now() >= this.#deadlineAt);
  }

  /** The call ended: no deadline fires for it. */
  done(): void {
    clearTimeout(this.#timer);
  }

  #expire(): void {
    this.abort(
      new DroverError(
        ErrorCode.DISPATCH_TIMEOUT,
        `the call of ${this.#method} ran past its deadline of ${this.#timeoutMs} ms`,
      ),
    );
  }
}
