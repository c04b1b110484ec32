// One call in the master, from its arrival to its answer. It settles exactly once: the first answer
// (the drone's result, an error, its deadline, its caller's cancellation) wins and every later one is
// dropped, so whatever races (a drone dying as it answers, a deadline as it starts) the caller hears
// once. Its deadline is kept by its pool (deadlines.ts); its cancellation comes through its handle
// (cancel) or its request's signal; both go with the answer.
import { DroverError, ErrorCode } from "../errors.ts";
import type { CallHandle, CallRequest, FailureDetails, Reply } from "../transports/seam.ts";
import type { Timed } from "./deadlines.ts";
import type { Drone } from "./drone.ts";
import type { Session } from "./session.ts";

/** What its owner (the pool) does when a call's deadline passes, it is cancelled, or it settles. */
export interface CallEvents {
  expired(call: Call): void;
  cancelled(call: Call): void;
  settled(call: Call): void;
}

export type CallPhase = "queued" | "running" | "settled";

let lastId = 0;

export class Call implements CallHandle, Timed {
  /** The id the master gives it on the drone's channel. */
  readonly id = ++lastId;
  readonly request: CallRequest;
  /** When it arrived (performance.now(): the queue wait and run time are timed below a millisecond). */
  readonly arrivedAt: number;
  /** Its budget, and when its caller stops waiting (Date.now() milliseconds). */
  readonly timeoutMs: number;
  readonly deadline: number;
  deadlineIndex = -1;
  /** When it was handed to a drone (the end of its wait in the backlog; performance.now()). */
  startedAt = 0;
  /** Drones that died while running it. */
  deaths = 0;
  /** The drone running it, once one does. */
  drone: Drone | undefined;
  /** Set when the call opens this session (a CONNECT) rather than running a method. */
  opens: Session | undefined;
  #phase: CallPhase = "queued";
  readonly #reply: Reply;
  readonly #events: CallEvents;
  #onAbort: (() => void) | undefined;

  /**
   * `events.expired` runs at the deadline (the owner keeps it: this only says when) and
   * `events.cancelled` when the caller cancels, while the call is unsettled: the owner fails it with
   * the right code and cleans up where it was.
   */
  constructor(request: CallRequest, reply: Reply, timeoutMs: number, events: CallEvents) {
    this.request = request;
    this.arrivedAt = request.arrivedAt ?? performance.now();
    this.#reply = reply;
    this.#events = events;
    this.timeoutMs = timeoutMs;
    // A call back from another host keeps the deadline it had here.
    this.deadline = Math.min(Date.now() + timeoutMs, request.deadline ?? Number.POSITIVE_INFINITY);
    const { signal } = request;
    if (signal) {
      this.#onAbort = () => this.cancel(signal.reason);
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  /** Its caller cancelled it or went away. */
  cancel(_reason?: unknown): void {
    if (this.#phase !== "settled") this.#events.cancelled(this);
  }

  get phase(): CallPhase {
    return this.#phase;
  }

  get settled(): boolean {
    return this.#phase === "settled";
  }

  /** Its budget in words: "10000 ms", and why when the service's requestTimeout cut what the caller asked. */
  get budgetText(): string {
    const ms = this.timeoutMs;
    const asked = this.request.timeoutMs;
    return asked !== undefined && asked > ms
      ? `${ms} ms: the service's requestTimeout, below the ${asked} ms its caller gave`
      : `${ms} ms`;
  }

  /** Whole milliseconds left before its deadline (at least 1, for a call about to be sent). */
  get remainingMs(): number {
    return Math.max(1, Math.ceil(this.deadline - Date.now()));
  }

  started(): void {
    if (this.#phase !== "queued") return;
    this.#phase = "running";
    this.startedAt = performance.now();
  }

  /** Back to the backlog after its drone died (a retry). */
  requeued(): void {
    if (this.#phase === "running") this.#phase = "queued";
  }

  ok(body: Buffer, session?: string): boolean {
    if (!this.#finish()) return false;
    this.#reply.ok(body, session);
    return true;
  }

  /** Its drone published the result straight to the caller (request.replyTo). */
  delivered(): boolean {
    if (!this.#finish()) return false;
    this.#reply.delivered?.();
    return true;
  }

  fail(code: ErrorCode, message: string, details?: FailureDetails): boolean {
    if (!this.#finish()) return false;
    this.#reply.fail(code, message, details);
    return true;
  }

  /** Fails it with `error`'s code and message (a DroverError), or as an internal fault. */
  failWith(error: unknown): boolean {
    if (error instanceof DroverError) return this.fail(error.code, error.message);
    return this.fail(ErrorCode.INTERNAL, `drover failed this call: ${(error as Error)?.message ?? error}`);
  }

  #finish(): boolean {
    if (this.#phase === "settled") return false;
    this.#phase = "settled";
    this.#events.settled(this);
    if (this.#onAbort) this.request.signal?.removeEventListener("abort", this.#onAbort);
    this.#onAbort = undefined;
    return true;
  }
}
