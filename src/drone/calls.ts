// The calls a drone runs: one RUN, one method call, one DONE. A call occupies a worker record while it
// runs; its ctx.signal aborts at its deadline (timeoutMs after the RUN arrived), at an ABORT, or when the
// drone stops. Whatever the method does (return something that cannot be sent, throw, reject), the
// call is answered and the drone serves on.
import { serialize } from "node:v8";
import { remoteFailure } from "../dispatch/remote-failure.ts";
import type { AbortHeader, DoneHeader, RemoteError, RunHeader } from "../dispatch/wire/messages.ts";
import { DroverError, ErrorCode } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { HookLogger } from "../modules/context.ts";
import { hookLogger } from "../modules/load.ts";
import type { Method } from "../service/define.ts";
import { CallContext } from "./call-context.ts";
import { type PlanParts, planCall } from "./call-plan.ts";
import { cloneFailure, droverFailure, thrownFailure } from "./failures.ts";
import type { Failure, NatsReplies } from "./nats-replies.ts";
import { decodeParams } from "./params.ts";
import type { Retirement } from "./retirement.ts";
import { RunningCall } from "./running-call.ts";
import type { OpenSession } from "./sessions.ts";

export interface CallParts extends PlanParts {
  readonly maxMessageBytes: number;
  readonly retirement: Retirement;
  readonly log: Logger;
  readonly done: (header: DoneHeader, body?: Uint8Array) => void;
  /** The DONE of call `id`, which returned `result` (v8-serialized). */
  readonly succeeded: (id: number, retire: boolean, result: Buffer) => void;
  /** The DONE of call `id`, whose result the drone published to its caller itself. */
  readonly replied: (id: number, retire: boolean) => void;
  /** The drone's NATS connection, for calls whose RUN names a replyTo. */
  readonly replies: NatsReplies | undefined;
}

// What the caller of a call still running when its orphaned drone stops hears.
const orphanFailure = (method: string): Failure => ({
  code: ErrorCode.DRONE_EXITED,
  message: `the master of the host running "${method}" died, and its drone stopped before the call ended; the call may or may not have taken effect`,
});

export class Calls {
  readonly #parts: CallParts;
  readonly #running = new Map<number, RunningCall>();
  readonly #loggers = new Map<string, HookLogger>();
  #idle: (() => void)[] = [];
  // The master is gone: a call from NATS is answered to its caller by the drone, failure included.
  #orphaned = false;
  // Why the drone stops, once it does: a call that fails with it was cut short by the stop.
  #stopReason: DroverError | undefined;

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
    this.#stopReason ??= reason;
    for (const call of this.#running.values()) {
      // Nobody else can answer a NATS caller now, and the method may never return: tell it at once.
      if (this.#orphaned && !call.signal.ended) this.#publishFailure(call, orphanFailure(call.method));
      call.signal.abort(reason);
    }
  }

  /**
   * The master is gone. A call from NATS can still be answered (the drone publishes to its caller): it
   * may finish, and so may its failure, until abortAll answers what is left. Any other call's caller
   * was connected to the master, and has heard that it is gone.
   */
  orphan(reason: DroverError): void {
    this.#orphaned = true;
    this.#stopReason ??= reason;
    for (const call of this.#running.values()) if (call.replyTo === undefined) call.signal.abort(reason);
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
    const plan = planCall(header, this.#parts, this.#running);
    if ("error" in plan) {
      this.#answer(header.id, { ok: false, error: plan.error });
      return;
    }
    const params = decodeParams(header.method, body);
    if (params.ok) this.#start(header, plan.fn, params.value, plan.worker, plan.session);
    else this.#answer(header.id, { ok: false, error: params.error });
  }

  #start(
    { id, method, timeoutMs, replyTo, redelivered }: RunHeader,
    fn: Method,
    params: unknown,
    worker: number,
    session: OpenSession | undefined,
  ): void {
    const { workers, sessions, retirement } = this.#parts;
    const call = new RunningCall(
      id,
      method,
      worker,
      session,
      timeoutMs,
      retirement,
      replyTo,
      redelivered === true,
    );
    this.#running.set(id, call);
    if (session) sessions.callStarted(session);
    workers.callStarted(worker, method, Date.now());
    const context = new CallContext(this.#parts.context, this.#logger(method), session?.context, call);
    // A method that returns at once is answered at once: no promise between its return and its DONE.
    let result: unknown;
    try {
      result = fn(params, context);
      if (isThenable(result)) {
        Promise.resolve(result).then(
          (value) => this.#succeeded(call, value),
          (error: unknown) => this.#failed(call, thrownFailure(error)),
        );
        return;
      }
    } catch (error) {
      this.#failed(call, thrownFailure(error));
      return;
    }
    this.#succeeded(call, result);
  }

  // The result as the body of a DONE, or why it cannot be one.
  #succeeded(call: RunningCall, result: unknown): void {
    let body: Buffer;
    try {
      body = serialize(result);
    } catch (error) {
      this.#failed(call, cloneFailure(call.method, (error as Error)?.message ?? String(error)));
      return;
    }
    const max = this.#parts.maxMessageBytes;
    if (body.byteLength > max) {
      const message = `the result of ${call.method} is ${body.byteLength} bytes, over maxMessageBytes ${max}: return less or raise maxMessageBytes`;
      this.#failed(call, droverFailure(ErrorCode.MESSAGE_TOO_LARGE, message));
      return;
    }
    const replies = this.#parts.replies;
    // A call over for the master (deadline, cancel) was answered there: its result goes to the master,
    // which drops it, not to a caller who would hear twice (one aborted as the drone stops is still
    // open there, and answered). Left open: the master's deadline firing while this publish or its DONE
    // is in flight, or in the RUN's transit by which the drone's deadline trails it. Milliseconds wide,
    // drover's client keeps the first reply, and closing it would put the master on every result's path.
    if (call.replyTo !== undefined && replies && !call.signal.ended) {
      // Straight to the caller over NATS; the master hears only that it was answered.
      const published = replies.publish(call.replyTo, body, call.method);
      if (!published.sent && published.error) {
        this.#failed(call, published.error);
        return;
      }
      if (published.sent) {
        this.#ended(call, body.byteLength);
        const retire = this.#parts.retirement.tell(call.retire);
        const id = call.id;
        // The result goes out before the master hears of it: a DONE first would wake the master to
        // take a core while the nats-server waits for one to pass the result on (the NATS client
        // flushes in a microtask queued at the publish, so one queued now runs after it).
        queueMicrotask(() => this.#parts.replied(id, retire));
        this.#idleNow();
        return;
      }
    }
    this.#ended(call, body.byteLength);
    this.#parts.succeeded(call.id, this.#parts.retirement.tell(call.retire), body);
    this.#idleNow();
  }

  #failed(call: RunningCall, error: RemoteError): void {
    if (this.#orphaned && !call.signal.ended)
      this.#publishFailure(call, remoteFailure(error, call.method, false));
    const reason = call.signal.reason;
    const stopped = reason !== undefined && reason === this.#stopReason;
    this.#ended(call, 0);
    this.#answer(call.id, { ok: false, error }, call.retire, stopped);
    this.#idleNow();
  }

  // A call JetStream delivers again is left to it: a failure published now would answer its caller
  // before the call runs again.
  #publishFailure(call: RunningCall, failure: Failure): void {
    if (call.replyTo === undefined || call.redelivered) return;
    this.#parts.replies?.publishFailure(call.replyTo, failure);
  }

  #ended(call: RunningCall, bytes: number): void {
    call.signal.done();
    call.finished = true;
    this.#running.delete(call.id);
    if (call.session) this.#parts.sessions.callEnded(call.session);
    this.#parts.workers.callFinished(call.worker, bytes, Date.now());
  }

  #idleNow(): void {
    if (this.#running.size === 0 && this.#idle.length > 0)
      for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** A call refused before it ran, or one that failed (`stopped`: cut short by the drone's stop): a DONE with its error. */
  #answer(
    id: number,
    outcome: { ok: false; error: RemoteError },
    retireWanted = false,
    stopped = false,
  ): void {
    const retire = this.#parts.retirement.tell(retireWanted);
    this.#parts.done({
      id,
      ok: false,
      error: outcome.error,
      ...(retire ? { retire } : {}),
      ...(stopped ? { stopped: true } : {}),
    });
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

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
