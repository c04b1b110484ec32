// A call's ctx.signal, made only when the method looks at it: most methods never do, and an
// AbortController with a deadline timer for every call is a measurable part of a trivial call's cost
// (bench:dispatch's profile). Whenever it is made, it is as it would have been: aborted already if
// an ABORT or the deadline came first, else armed for the deadline.
export class CallSignal {
  #controller: AbortController | undefined;
  #reason: unknown;
  #timer: NodeJS.Timeout | undefined;
  readonly #deadlineAt: number | undefined;
  readonly #expired: () => unknown;
  readonly #maxTimerMs: number;

  /** `expired` makes the reason the signal aborts with at the deadline. */
  constructor(timeoutMs: number | undefined, expired: () => unknown, maxTimerMs: number) {
    this.#deadlineAt = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    this.#expired = expired;
    this.#maxTimerMs = maxTimerMs;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
      else if (this.#deadlineAt !== undefined) {
        const left = this.#deadlineAt - Date.now();
        if (left <= 0) this.abort(this.#expired());
        else this.#timer = setTimeout(() => this.abort(this.#expired()), Math.min(left, this.#maxTimerMs));
      }
    }
    return this.#controller.signal;
  }

  /** The first reason wins. */
  abort(reason: unknown): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    clearTimeout(this.#timer);
    this.#controller?.abort(reason);
  }

  /** The call ended: no deadline fires for it. */
  done(): void {
    clearTimeout(this.#timer);
  }
}
