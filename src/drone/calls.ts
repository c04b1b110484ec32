// The calls a drone runs: one RUN, one method call, one DONE. A call occupies a worker record while it
// runs; its ctx.signal aborts at its deadline (timeoutMs after the RUN arrived), at an ABORT, or when the
// drone stops. Whatever the method does (return something that cannot be sent, throw, reject), the
// call is answered and the drone serves on.
import { serialize } from "node:v8";
import type { AbortHeader, DoneHeader, RemoteError, RunHeader } from "../dispatch/wire/messages.ts";
import { DroverError, ErrorCode } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { HookLogger } from "../modules/context.ts";
import { hookLogger } from "../modules/load.ts";
import type { DroneContext, Method, MethodContext, ServiceDefinition } from "../service/define.ts";
import { CallSignal } from "./call-signal.ts";
import { cloneFailure, droverFailure, thrownFailure } from "./failures.ts";
import type { NatsReplies } from "./nats-replies.ts";
import { decodeParams } from "./params.ts";
import type { Retirement } from "./retirement.ts";
import type { OpenSession, Sessions } from "./sessions.ts";
import type { WorkerRecords } from "./workers.ts";

export interface CallParts {
  readonly service: ServiceDefinition;
  readonly context: DroneContext;
  readonly maxMessageBytes: number;
  readonly concurrency: number;
  readonly workers: WorkerRecords;
  readonly sessions: Sessions;
  readonly retirement: Retirement;
  readonly log: Logger;
  readonly done: (header: DoneHeader, body?: Uint8Array) => void;
  /** The drone's NATS connection, for calls whose RUN names a replyTo. */
  readonly replies: NatsReplies | undefined;
  /** Why a new call is refused now (the drone stops), or undefined. */
  readonly refusal: () => RemoteError | undefined;
}

interface Plan {
  readonly fn: Method;
  readonly worker: number;
  readonly session: OpenSession | undefined;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

const failed = (code: ErrorCode, message: string) => ({ error: droverFailure(code, message) });

type Outcome = { ok: true; body: Buffer } | { ok: false; error: RemoteError };

interface RunningCall {
  readonly method: string;
  readonly signal: CallSignal;
  retire: boolean;
  finished: boolean;
}

export class Calls {
  readonly #parts: CallParts;
  readonly #running = new Map<number, RunningCall>();
  readonly #loggers = new Map<string, HookLogger>();
  #idle: (() => void)[] = [];

  constructor(parts: CallParts) {
    this.#parts = parts;
  }

  get running(): number {
    return this.#running.size;
  }

  /** Resolves once no call runs. */
  whenIdle(): Promise<void> {
    if (this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Aborts every running call's signal with `reason`; each is still answered when its method ends. */
  abortAll(reason: DroverError): void {
    for (const call of this.#running.values()) call.signal.abort(reason);
  }

  abort({ id, reason }: AbortHeader): void {
    // A call that already ended (its DONE crossed the ABORT): nothing to do.
    const call = this.#running.get(id);
    if (!call) return;
    call.signal.abort(
      reason === "timeout"
        ? new DroverError(
            ErrorCode.DISPATCH_TIMEOUT,
            `the call of ${call.method} ran past its caller's deadline`,
          )
        : new DroverError(
            ErrorCode.DISPATCH_CANCELLED,
            `the call of ${call.method} was cancelled by its caller`,
          ),
    );
  }

  run(header: RunHeader, body: Buffer): void {
    const plan = this.#plan(header);
    if ("error" in plan) {
      this.#answer(header.id, { ok: false, error: plan.error });
      return;
    }
    const params = decodeParams(header.method, body);
    if (params.ok) this.#start(header, plan.fn, params.value, plan.worker, plan.session);
    else this.#answer(header.id, { ok: false, error: params.error });
  }

  // What the call runs and where, or why it cannot run.
  #plan({ id, method, session: sessionId }: RunHeader): Plan | { error: RemoteError } {
    const { service, workers, sessions } = this.#parts;
    const refusal = this.#parts.refusal();
    if (refusal) return { error: refusal };
    if (this.#running.has(id))
      return failed(ErrorCode.DISPATCH_BAD_MESSAGE, `call ${id} already runs on this drone`);
    const session = sessionId === undefined ? undefined : sessions.live(sessionId);
    if (sessionId !== undefined && !session) {
      return failed(
        ErrorCode.SESSION_EXPIRED,
        `session ${sessionId} is not open on drone ${process.pid} (it ended, or never opened here): open a new session`,
      );
    }
    const fn = Object.hasOwn(service.methods, method) ? service.methods[method] : undefined;
    if (!fn) {
      return failed(
        ErrorCode.NO_SUCH_METHOD,
        `service "${this.#parts.context.service}" has no method "${method}": its methods are ${Object.keys(service.methods).join(", ")}`,
      );
    }
    // A session's call runs on the record the session holds, unless another of its calls has it.
    const worker = session && !workers.busy(session.worker) ? session.worker : workers.free();
    if (worker === undefined) {
      return failed(
        ErrorCode.DISPATCH_BAD_MESSAGE,
        `drone ${process.pid} already runs ${this.#running.size} calls (concurrency ${this.#parts.concurrency}) and holds ${sessions.size} sessions: the master sent one call too many`,
      );
    }
    return { fn, worker, session };
  }

  #start(
    { id, method, timeoutMs, replyTo }: RunHeader,
    fn: Method,
    params: unknown,
    worker: number,
    session: OpenSession | undefined,
  ): void {
    const { workers, sessions, retirement } = this.#parts;
    const call: RunningCall = {
      method,
      signal: new CallSignal(
        timeoutMs,
        () =>
          new DroverError(
            ErrorCode.DISPATCH_TIMEOUT,
            `the call of ${method} ran past its deadline of ${timeoutMs} ms`,
          ),
        // A header's timeout may be 2^31 ms, one more than a timer takes.
        MAX_TIMER_MS,
      ),
      retire: retirement.served(),
      finished: false,
    };
    this.#running.set(id, call);
    if (session) sessions.callStarted(session);
    workers.callStarted(worker, method, Date.now());
    const context: MethodContext = Object.freeze(
      Object.defineProperty(
        {
          ...this.#parts.context,
          log: this.#logger(method),
          session: session?.context,
          retire: () => {
            retirement.asked(method);
            if (call.finished) retirement.later();
            else call.retire = true;
          },
        },
        "signal",
        { get: () => call.signal.signal, enumerable: true },
      ) as MethodContext,
    );
    Promise.resolve()
      .then(() => fn(params, context))
      .then(
        (result) => this.#result(method, result),
        (error: unknown) => ({ ok: false as const, error: thrownFailure(error) }),
      )
      .then((outcome) => {
        call.signal.done();
        call.finished = true;
        this.#running.delete(id);
        if (session) sessions.callEnded(session);
        workers.callFinished(worker, outcome.ok ? outcome.body.byteLength : 0, Date.now());
        this.#answer(id, this.#published(outcome, method, replyTo), call.retire);
        if (this.#running.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
  }

  // The result as the body of a DONE, or why it cannot be one.
  #result(
    method: string,
    result: unknown,
  ): { ok: true; body: Buffer } | { ok: false; error: RemoteError; body?: undefined } {
    let body: Buffer;
    try {
      body = serialize(result);
    } catch (error) {
      return { ok: false, error: cloneFailure(method, (error as Error)?.message ?? String(error)) };
    }
    const max = this.#parts.maxMessageBytes;
    if (body.byteLength > max) {
      return {
        ok: false,
        error: droverFailure(
          ErrorCode.MESSAGE_TOO_LARGE,
          `the result of ${method} is ${body.byteLength} bytes, over maxMessageBytes ${max}: return less or raise maxMessageBytes`,
        ),
      };
    }
    return { ok: true, body };
  }

  // A result published straight to the caller (replyTo), or why it could not be; as it was, without one.
  #published(outcome: Outcome, method: string, replyTo: string | undefined): Outcome | { replied: true } {
    const replies = this.#parts.replies;
    if (!outcome.ok || replyTo === undefined || !replies) return outcome;
    const published = replies.publish(replyTo, outcome.body, method);
    if (published.sent) return { replied: true };
    return published.error ? { ok: false, error: published.error } : outcome;
  }

  #answer(id: number, outcome: Outcome | { replied: true }, retireWanted = false): void {
    const retire = this.#parts.retirement.tell(retireWanted) ? { retire: true } : {};
    if ("replied" in outcome) this.#parts.done({ id, ok: true, replied: true, ...retire });
    else if (outcome.ok) this.#parts.done({ id, ok: true, ...retire }, outcome.body);
    else this.#parts.done({ id, ok: false, error: outcome.error, ...retire });
  }

  #logger(method: string): HookLogger {
    let log = this.#loggers.get(method);
    if (!log) {
      log = hookLogger(this.#parts.log.child({ method }));
      this.#loggers.set(method, log);
    }
    return log;
  }
}
