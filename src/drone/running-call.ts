// One call while a drone runs it: what its context reads and sets (its signal, whether it asked to
// retire), where it runs (its worker record, its session), and where its result goes (replyTo: the
// caller's NATS subject, answered by the drone itself).
import type { ContextOwner } from "./call-context.ts";
import { CallSignal } from "./call-signal.ts";
import type { Retirement } from "./retirement.ts";
import type { OpenSession } from "./sessions.ts";

/** One call while it runs: what its context reads and sets, and what its end clears. */
export class RunningCall implements ContextOwner {
  readonly id: number;
  readonly method: string;
  readonly worker: number;
  readonly session: OpenSession | undefined;
  readonly signal: CallSignal;
  readonly retirement: Retirement;
  /** The NATS subject the drone answers on itself, for a call that came over NATS. */
  readonly replyTo: string | undefined;
  /** Its transport delivers it again if unanswered: a failure is never published for it by the drone. */
  readonly redelivered: boolean;
  retire: boolean;
  finished = false;

  constructor(
    id: number,
    method: string,
    worker: number,
    session: OpenSession | undefined,
    timeoutMs: number,
    retirement: Retirement,
    replyTo: string | undefined,
    redelivered: boolean,
  ) {
    this.replyTo = replyTo;
    this.redelivered = redelivered;
    this.id = id;
    this.method = method;
    this.worker = worker;
    this.session = session;
    this.signal = new CallSignal(timeoutMs, method);
    this.retirement = retirement;
    // The call that reaches maxRequests says so on its DONE.
    this.retire = retirement.served();
  }
}
