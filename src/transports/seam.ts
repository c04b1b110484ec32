// The seam between a transport (how calls reach the master: the embedded Unix socket, NATS) and the
// dispatcher (which drone runs them). A transport decodes what arrives, hands each call to the
// dispatcher with a way to answer it, and cancels it when its caller goes away; the dispatcher
// answers every call exactly once.
import type { RemoteError } from "../dispatch/wire/messages.ts";
import type { ErrorCode } from "../errors.ts";
import type { NatsState } from "../scoreboard/index.ts";

/** One call as the dispatcher gets it. */
export interface CallRequest {
  readonly service: string;
  readonly method: string;
  /** The params, v8-serialized, untouched by the master. */
  readonly params: Buffer;
  /** The caller's budget in milliseconds, from when the call arrived; undefined: the service's requestTimeout. */
  readonly timeoutMs: number | undefined;
  /** The session it belongs to, if any. */
  readonly session: string | undefined;
  /**
   * Aborted when the caller cancels the call or its connection closes, for a transport that has a
   * signal for each call anyway. One that keeps its calls by id (the embedded one) passes none and
   * cancels through the CallHandle instead: a signal and its listener cost a call more than its handle.
   */
  readonly signal?: AbortSignal;
  /**
   * A NATS subject the drone may publish the result to itself, taking the master off the return path;
   * then `reply.delivered()` is all the reply hears of a success. Errors still go through `reply.fail`.
   */
  readonly replyTo?: string;
  /** Its transport delivers it again if it is not answered (JetStream): see RunHeader.redelivered. */
  readonly redelivered?: boolean;
  /**
   * Set by a transport that hands calls between hosts (transports/nats/hand-off.ts): false for a call
   * it may hand on, true for one handed to it, which is not handed on again. Left
   * out: never handed on.
   */
  readonly handedOver?: boolean;
  /**
   * When it first arrived here (performance.now()), for a call that comes back from a host it was
   * handed to: it waits in the backlog in its first place, not behind the calls that came since, and
   * a backlog filled meanwhile does not refuse it (its place was kept).
   */
  readonly arrivedAt?: number;
  /**
   * Its deadline here (Date.now() milliseconds), for a call that comes back: the time it spent away
   * counts against its budget, as if it had waited here.
   */
  readonly deadline?: number;
}

/** What a transport that hands calls between hosts gives of a session's opening (see CallRequest). */
export type OpeningHandOff = Pick<CallRequest, "replyTo" | "handedOver" | "arrivedAt" | "deadline">;

/** A waiting call given up to be handed to another host: what it takes to send it there. */
export interface HandedCall {
  readonly method: string;
  readonly params: Buffer;
  /** What is left of its budget; undefined: its caller gave none (the service's requestTimeout applies). */
  readonly timeoutMs: number | undefined;
  /** Its caller's reply subject, where the other host answers. */
  readonly replyTo: string;
  /** When it arrived here (performance.now()): its place if it comes back. */
  readonly arrivedAt: number;
  /** Its deadline here (Date.now()), if it comes back; undefined: its caller gave no budget. */
  readonly deadline: number | undefined;
  /** A session's opening rather than a call (`method` and `params` unused): the other host opens the session. */
  readonly opens: boolean;
}

/** A call the dispatcher holds. */
export interface CallHandle {
  /** Its caller cancelled it or went away (`reason` says which); nothing once the call has settled. */
  cancel(reason: Error): void;
}

/** What a failed call carries beside its code and message. */
export interface FailureDetails {
  readonly remote?: RemoteError;
  readonly methods?: readonly string[];
}

/** How the dispatcher answers one call, or the opening or closing of a session. Only the first answer counts. */
export interface Reply {
  /** The result, v8-serialized (a session's open answers with its id in `session`). */
  ok(body: Buffer, session?: string): void;
  fail(code: ErrorCode, message: string, details?: FailureDetails): void;
  /** The drone published the result to the request's replyTo itself. */
  delivered?(): void;
}

export interface Dispatcher {
  /** Takes a call; returns its handle, or undefined when it was answered at once. */
  call(request: CallRequest, reply: Reply): CallHandle | undefined;
  /** Opens a session on `service`; answers ok with the session id. */
  open(
    service: string,
    timeoutMs: number | undefined,
    signal: AbortSignal,
    reply: Reply,
    handing?: OpeningHandOff,
  ): void;
  /**
   * Ends `session`: its client closed it, or (`gone`) went away with it open. Answers ok once
   * onDisconnect ran.
   */
  close(session: string, reply: Reply, why?: "closed" | "gone"): void;
  /** The largest params a call to `service` may carry, in bytes (the largest of any service for an unknown one). */
  bodyLimit(service: string | undefined): number;
  /**
   * How full `service` is: calls waiting for a drone, the most that may, and idle drones (a transport
   * that stops taking calls while the backlog is full asks when to take them again). Undefined: no
   * such service serves.
   */
  load(service: string): ServiceLoad | undefined;
  /**
   * `waiting` calls of `service` wait outside it, where the transport pulls them from only while a
   * drone is idle (a JetStream stream): start drones for them, as for calls in the backlog, up to
   * maxDrones.
   */
  demand(service: string, waiting: number): void;
  /**
   * Takes up to `count` calls of `service` out of its backlog, the oldest first, to be handed to
   * another host: each settles here as handed off (its reply hears delivered()). Only calls another
   * host can answer qualify: with a reply subject, in no session, not handed over already.
   */
  handOver(service: string, count: number): HandedCall[];
  /**
   * Runs `listener` each time what load(service) says may have changed (a call arrived or ended, a
   * drone came up or left), in that turn; returns what stops it.
   */
  watchLoad(service: string, listener: () => void): () => void;
  /**
   * Keeps `service`'s drones from leaving a graceful stop while calls handed to other hosts may still
   * come back (the master stops with calls handed on); returns the release.
   */
  holdDrones(service: string): () => void;
  /** Where the transport of `service` is now, for drover status (the NATS transport says). */
  transportState(service: string, state: NatsState): void;
  /** Whether `session` is still open. */
  hasSession(session: string): boolean;
  /** What discovery tells of `service` (the NATS services protocol's INFO and STATS); undefined: none serves. */
  describe(service: string): ServiceDescription | undefined;
}

export interface ServiceDescription {
  readonly methods: readonly string[];
  /** Calls received, and those that failed, since the master started. */
  readonly calls: number;
  readonly failed: number;
  /** Drones' run time summed over the calls, in milliseconds. */
  readonly runTimeMs: number;
  readonly runs: number;
  readonly drones: number;
  readonly backlog: number;
}

export interface ServiceLoad {
  readonly waiting: number;
  readonly maxBacklog: number;
  /** Drones with room for another call. */
  readonly idle: number;
  /** Drones running nothing: what a session's opening needs (more than idle with droneConcurrency above 1). */
  readonly free: number;
}
