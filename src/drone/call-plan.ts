// What a RUN runs and where: the method, the worker record it occupies, the session it belongs to, or
// why it cannot run (the drone stops, the id is taken, the session is not open here, no such method,
// no record free). A refused RUN is answered at once and never reaches the method.
import type { RemoteError, RunHeader } from "../dispatch/wire/messages.ts";
import { ErrorCode } from "../errors.ts";
import type { DroneContext, Method, ServiceDefinition } from "../service/define.ts";
import { droverFailure } from "./failures.ts";
import type { OpenSession, Sessions } from "./sessions.ts";
import type { WorkerRecords } from "./workers.ts";

export interface CallPlan {
  readonly fn: Method;
  readonly worker: number;
  readonly session: OpenSession | undefined;
}

export interface PlanParts {
  readonly service: ServiceDefinition;
  readonly context: DroneContext;
  readonly concurrency: number;
  readonly workers: WorkerRecords;
  readonly sessions: Sessions;
  /** Why a new call is refused now (the drone stops), or undefined. */
  readonly refusal: () => RemoteError | undefined;
}

const refused = (code: ErrorCode, message: string) => ({ error: droverFailure(code, message) });

/** The plan of the call `header` asks for, given the calls `running` now (by id). */
export function planCall(
  { id, method, session: sessionId }: RunHeader,
  parts: PlanParts,
  running: ReadonlyMap<number, unknown>,
): CallPlan | { error: RemoteError } {
  const { service, workers, sessions } = parts;
  const refusal = parts.refusal();
  if (refusal) return { error: refusal };
  if (running.has(id))
    return refused(ErrorCode.DISPATCH_BAD_MESSAGE, `call ${id} already runs on this drone`);
  const session = sessionId === undefined ? undefined : sessions.live(sessionId);
  if (sessionId !== undefined && !session) {
    return refused(
      ErrorCode.SESSION_EXPIRED,
      `session ${sessionId} is not open on drone ${process.pid} (it ended, or never opened here): open a new session`,
    );
  }
  const fn = Object.hasOwn(service.methods, method) ? service.methods[method] : undefined;
  if (!fn) {
    return refused(
      ErrorCode.NO_SUCH_METHOD,
      `service "${parts.context.service}" has no method "${method}": its methods are ${Object.keys(service.methods).join(", ")}`,
    );
  }
  // A session's call runs on the record the session holds, unless another of its calls has it.
  const worker = session && !workers.busy(session.worker) ? session.worker : workers.free();
  if (worker === undefined) {
    return refused(
      ErrorCode.DISPATCH_BAD_MESSAGE,
      `drone ${process.pid} already runs ${running.size} calls (concurrency ${parts.concurrency}) and holds ${sessions.size} sessions: the master sent one call too many`,
    );
  }
  return { fn, worker, session };
}
