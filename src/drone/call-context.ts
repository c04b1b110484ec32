// What a method gets beside its params (MethodContext): the drone's context, its logger, its session,
// ctx.signal (made only when the method reads it, call-signal.ts) and ctx.retire(). One small frozen
// object a call, its fields set once: no spread of the drone's context, no closure per call.
import type { HookLogger } from "../modules/context.ts";
import type { DroneContext, MethodContext, SessionContext } from "../service/define.ts";
import type { CallSignal } from "./call-signal.ts";
import type { Retirement } from "./retirement.ts";

/** The drone's side of one running call, which its context reads and sets. */
export interface ContextOwner {
  readonly method: string;
  readonly signal: CallSignal;
  readonly retirement: Retirement;
  /** ctx.retire() was called while the call ran: its DONE says retire. */
  retire: boolean;
  finished: boolean;
}

export class CallContext implements MethodContext {
  readonly service: string;
  readonly slot: number;
  readonly pid: number;
  readonly generation: number;
  readonly log: HookLogger;
  readonly session: SessionContext | undefined;
  readonly #owner: ContextOwner;

  constructor(
    drone: DroneContext,
    log: HookLogger,
    session: SessionContext | undefined,
    owner: ContextOwner,
  ) {
    this.service = drone.service;
    this.slot = drone.slot;
    this.pid = drone.pid;
    this.generation = drone.generation;
    this.log = log;
    this.session = session;
    this.#owner = owner;
    Object.freeze(this);
  }

  get signal(): AbortSignal {
    return this.#owner.signal.signal;
  }

  retire(): void {
    const owner = this.#owner;
    owner.retirement.asked(owner.method);
    if (owner.finished) owner.retirement.later();
    else owner.retire = true;
  }
}
