// One call in the master, from its arrival to its answer. It settles exactly once: the first answer
// (the drone's result, an error, its deadline, its caller's cancellation) wins and every later one is
// dropped, so whatever races (a drone dying as it answers, a deadline as it starts) the caller hears
// once. Its deadline timer and cancellation listener go with the answer.
import { DroverError, ErrorCode } from "../errors.ts";
import type { CallRequest, FailureDetails, Reply } from "../transports/seam.ts";
import type { Drone } from "./drone.ts";
import type { Session } from "./session.ts";

export type CallPhase = "queued" | "running" | "settled";

let lastId = 0;

export class Call {
  /** The id the master gives it on the drone's channel. */
  readonly id = ++lastId;
  readonly request: CallRequest;
  /** When it arrived and when its caller stops waiting (Date.now() milliseconds). */
  readonly arrivedAt = Date.now();
  readonly deadline: number;
  /** When it was handed to a drone (the end of its wait in the backlog). */
  startedAt = 0;
  /** Drones that died while running it. */
  deaths = 0;
  /** The drone running it, once one does. */
  drone: Drone | undefined;
  /** Set when the call opens this session (a CONNECT) rather than running a method. */
  opens: Session | undefined;
  #phase: CallPhase = "queued";
  readonly #reply: Reply;
  #timer: NodeJS.Timeout | undefined;
  #onAbort: (() => void) | undefined;

  /**
   * `expired` runs at the deadline and `cancelled` when the caller aborts, while the call is unsettled:
   * the owner fails it with the right code and cleans up where it was.
   */
  constructor(
    request: CallRequest,
    reply: Reply,
    timeoutMs: number,
    events: { expired: (call: Call) => void; cancelled: (call: Call) => void },
  ) {
    this.request = request;
    this.#reply = reply;
    this.deadline = this.arrivedAt + timeoutMs;
    this.#timer = setTimeout(() => events.expired(this), timeoutMs);
    this.#onAbort = () => events.cancelled(this);
    request.signal.addEventListener("abort", this.#onAbort, { once: true });
  }

  get phase(): CallPhase {
    return this.#phase;
  }

  get settled(): boolean {
    return this.#phase === "settled";
  }

  /** Whole milliseconds left before its deadline (at least 1, for a call about to be sent). */
  get remainingMs(): number {
    return Math.max(1, Math.ceil(this.deadline - Date.now()));
  }

  started(): void {
    if (this.#phase !== "queued") return;
    this.#phase = "running";
    this.startedAt = Date.now();
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
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#onAbort) this.request.signal.removeEventListener("abort", this.#onAbort);
    this.#onAbort = undefined;
    return true;
  }
}
