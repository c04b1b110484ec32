// One service's pool of drones, as OpenSRF's prefork listener keeps it: idle drones on a LIFO stack
// (the drone that finished last, the warmest, takes the next call); with none idle, the call waits
// in a bounded backlog and a drone is started if there is room under maxDrones, but a call is never
// bound to a drone still starting: whichever drone is free first, old or new, takes the backlog's
// head (the stack: idle-stack.ts). Every call settles once (call.ts), on its drone's answer
// (answered-call.ts), its deadline or its caller's cancel; the drones' lives (start, recycling,
// death, generations) are in service-drones.ts and the drone-*.ts files beside it, sessions in
// session-life.ts.
import type { ResolvedService } from "../config/types/service.ts";
import { ErrorCode } from "../errors.ts";
import type { CallRequest, HandedCall, Reply } from "../transports/seam.ts";
import { answeredCall, ranPast } from "./answered-call.ts";
import { Backlog } from "./backlog.ts";
import { Call, type CallEvents } from "./call.ts";
import { ServiceCounters } from "./counters.ts";
import { Deadlines } from "./deadlines.ts";
import type { Drone } from "./drone.ts";
import { IdleStack } from "./idle-stack.ts";
import type { Session } from "./session.ts";
import { type DoneHeader, Kind } from "./wire/messages.ts";

/** How long a drone may run past a call's deadline (its signal aborted) before it counts as hung. */
export const DEADLINE_GRACE_MS = 2_000;

export interface PoolHooks {
  /** The backlog has calls no drone will be free for soon: start drones if there is room. */
  grow(): void;
  /** A drone finished a call or a session step: it takes more work, or leaves. */
  freed(drone: Drone): void;
  /** A running call passed its deadline and its drone has not answered DEADLINE_GRACE_MS later. */
  overdue(drone: Drone, call: Call): void;
  /** The master stops (gracefully or not): no drone will be started for a call run again. */
  stopping(): boolean;
}

export class ServicePool {
  readonly name: string;
  config: ResolvedService;
  readonly counters = new ServiceCounters();
  readonly backlog = new Backlog();
  /** Idle drones of the serving generation. */
  readonly idle = new IdleStack();
  /** The serving generation's method names and those safe to retry, from its drones' HELLO. */
  methods: ReadonlySet<string> | undefined;
  idempotent: ReadonlySet<string> = new Set();
  /** New calls are refused (a graceful stop). */
  refusing: string | undefined;
  /** While above 0, a graceful stop's drones stay (idle) for calls that may come back from other hosts. */
  drainHolds = 0;
  hooks: PoolHooks | undefined;
  /** Something shown in the scoreboard changed (the dispatcher publishes it soon). */
  changed: () => void = () => {};
  readonly #deadlines = new Deadlines<Call>((call) => this.#expired(call));
  // One for all its calls: a call carries no closures of its own.
  readonly #callEvents: CallEvents = {
    expired: (call) => this.#expired(call),
    cancelled: (call) => this.#cancelled(call),
    settled: (call) => this.#deadlines.remove(call),
  };

  constructor(config: ResolvedService) {
    this.name = config.name;
    this.config = config;
  }

  /**
   * A call arrives: it runs on an idle drone now, waits in the backlog, or is refused at once; returns
   * it unless it was answered already (refused, or the backlog full).
   */
  call(request: CallRequest, reply: Reply, session?: Session): Call | undefined {
    // A call back from another host had its place here before any stop, as a session's call has.
    const refusal = this.#refusal(request.method, session !== undefined || request.arrivedAt !== undefined);
    if (refusal) {
      this.refuse(
        reply,
        refusal.code,
        refusal.message,
        refusal.methods ? { methods: refusal.methods } : undefined,
      );
      return undefined;
    }
    this.counters.calls++;
    this.changed();
    const call = this.newCall(request, reply);
    if (session) {
      session.queue.push(call);
      session.busy();
      if (session.drone && session.drone.running.size === 0) this.hooks?.freed(session.drone);
      return call;
    }
    this.dispatch(call);
    return call.settled ? undefined : call;
  }

  /** A call refused before it was queued: received, failed, answered at once. */
  refuse(reply: Reply, code: ErrorCode, message: string, details?: { methods: string[] }): void {
    this.counters.calls++;
    this.counters.failed++;
    this.changed();
    reply.fail(code, message, details);
  }

  /** A call with its deadline and cancellation wired to this pool. */
  newCall(request: CallRequest, reply: Reply, opens?: Session): Call {
    const { requestTimeout } = this.config;
    const timeoutMs = Math.min(request.timeoutMs ?? requestTimeout, requestTimeout);
    const call = new Call(request, reply, timeoutMs, this.#callEvents);
    call.opens = opens;
    if (Date.now() < call.deadline) this.#deadlines.add(call);
    else {
      // A call back from another host that spent its budget away: it is never run.
      this.counters.expired++;
      this.#settleFailed(call, ErrorCode.DISPATCH_TIMEOUT, this.#neverRan(call));
    }
    return call;
  }

  /** Runs `call` on the warmest idle drone, or queues it. */
  dispatch(call: Call): void {
    if (call.settled) return;
    const drone = this.idle.take(call.opens !== undefined);
    if (drone) {
      this.run(drone, call);
      return;
    }
    // A call back from another host had its place here already (CallRequest.arrivedAt).
    if (this.backlog.length >= this.config.maxBacklog && call.request.arrivedAt === undefined) {
      this.counters.rejected++;
      this.#settleFailed(
        call,
        ErrorCode.DISPATCH_BACKLOG_FULL,
        `service "${this.name}": every drone is busy and ${this.backlog.length} calls wait (maxBacklog ${this.config.maxBacklog}): retry later, or raise maxDrones or maxBacklog`,
      );
      return;
    }
    this.backlog.push(call);
    this.hooks?.grow();
  }

  /**
   * Fails the calls whose deadline passed, before a drone (or another host) takes what waits: a loaded
   * master may read a drone's answer before its deadline timer runs, and an expired call is never run.
   */
  expireDue(): void {
    this.#deadlines.expireDue();
  }

  /** The oldest waiting call (that `accept` takes), taken out; never one whose deadline passed. */
  takeWaiting(accept?: (call: Call) => boolean): Call | undefined {
    this.#deadlines.expireDue();
    return accept ? this.backlog.shiftWhere(accept) : this.backlog.shift();
  }

  /** Sends `call` to `drone`: a RUN, or a CONNECT for a session's opening. */
  run(drone: Drone, call: Call): void {
    call.started();
    this.counters.queueWait.observe(call.startedAt - call.arrivedAt);
    call.drone = drone;
    drone.running.set(call.id, call);
    if (drone.state === "idle") drone.state = drone.session ? "pinned" : "busy";
    const { request } = call;
    if (call.opens) {
      // Pinned from now on: with droneConcurrency above 1, it takes no other call beside its opening.
      this.idle.remove(drone);
      drone.send(Kind.CONNECT, { id: call.id, session: call.opens.id });
      return;
    }
    drone.run(
      call.id,
      request.method,
      call.remainingMs,
      request.session,
      request.replyTo,
      request.redelivered === true,
      request.params,
    );
  }

  /** A drone answered `header.id`. Returns the call it answered, if it ran one. */
  done(drone: Drone, header: DoneHeader, body: Buffer): Call | undefined {
    const call = drone.running.get(header.id);
    if (!call) return undefined;
    this.changed();
    drone.running.delete(header.id);
    drone.served++;
    this.counters.runTime.observe(performance.now() - call.startedAt);
    if (answeredCall(call, this, header, body, drone.pid)) this.#runNext();
    return call;
  }

  // A call went back to the front of the backlog: an idle drone takes it now, or one is started.
  #runNext(): void {
    const drone = this.idle.take();
    const call = drone && this.takeWaiting();
    if (drone && call) this.run(drone, call);
    else this.hooks?.grow();
  }

  /**
   * Up to `count` waiting calls another host can answer, taken out and settled here as handed off. A
   * call that killed a drone stays: here its next death makes it poison, elsewhere it would start over.
   */
  handOver(count: number): HandedCall[] {
    const handed: HandedCall[] = [];
    while (handed.length < count) {
      const call = this.takeWaiting(
        ({ request, deaths }) =>
          request.handedOver === false && request.replyTo !== undefined && !request.session && deaths === 0,
      );
      const replyTo = call?.request.replyTo;
      if (!call || replyTo === undefined) break;
      const { method, params } = call.request;
      const { arrivedAt, deadline, opens } = call;
      handed.push({
        method,
        params,
        timeoutMs: call.remainingMs,
        replyTo,
        arrivedAt,
        deadline,
        opens: opens !== undefined,
      });
      call.delivered();
      this.counters.handedOff++;
      this.changed();
    }
    return handed;
  }

  /** Fails every call waiting in the backlog (the service is gone, or the master stops). */
  failWaiting(code: ErrorCode, message: string): void {
    for (const call of this.backlog.drain()) this.#settleFailed(call, code, message);
  }

  #settleFailed(call: Call, code: ErrorCode, message: string): void {
    if (call.fail(code, message)) this.counters.failed++;
  }

  #refusal(
    method: string,
    keptThroughStop: boolean,
  ): { code: ErrorCode; message: string; methods?: string[] } | undefined {
    // An open session is kept through a stop (up to sessionDrainTimeout) so that it can finish: its calls run.
    if (this.refusing && !keptThroughStop) return { code: ErrorCode.STOPPING, message: this.refusing };
    if (this.methods && !this.methods.has(method)) {
      const methods = [...this.methods];
      return {
        code: ErrorCode.NO_SUCH_METHOD,
        message: `service "${this.name}" has no method "${method}"; it has: ${methods.join(", ")}`,
        methods,
      };
    }
    return undefined;
  }

  #expired(call: Call): void {
    this.counters.expired++;
    this.changed();
    if (call.phase === "queued") {
      // A session's call waits in its session's queue; any other, an opening too, in the backlog.
      if (!call.request.session) this.backlog.dropped();
      this.#settleFailed(call, ErrorCode.DISPATCH_TIMEOUT, this.#neverRan(call));
      return;
    }
    const drone = call.drone;
    this.#settleFailed(call, ErrorCode.DISPATCH_TIMEOUT, ranPast(this.name, call));
    if (!drone) return;
    drone.send(Kind.ABORT, { id: call.id, reason: "timeout" });
    this.#watchOverdue(drone, call, DEADLINE_GRACE_MS);
  }

  #neverRan(call: Call): string {
    return `service "${this.name}": no drone was free for "${call.request.method}" before its deadline (${call.budgetText}); it never ran: raise maxDrones or the timeout`;
  }

  #cancelled(call: Call): void {
    this.counters.cancelled++;
    this.changed();
    const queued = call.phase === "queued";
    if (queued && !call.request.session) this.backlog.dropped();
    const drone = queued ? undefined : call.drone;
    this.#settleFailed(call, ErrorCode.DISPATCH_CANCELLED, `the caller cancelled "${call.request.method}"`);
    if (!drone) return;
    drone.send(Kind.ABORT, { id: call.id, reason: "cancelled" });
    // Settled, it left the deadlines: a drone that ignores the abort is still hung at its deadline.
    this.#watchOverdue(drone, call, Math.max(0, call.deadline - Date.now()) + DEADLINE_GRACE_MS);
  }

  #watchOverdue(drone: Drone, call: Call, ms: number): void {
    drone.child.after(ms, () => {
      if (drone.running.get(call.id) === call) this.hooks?.overdue(drone, call);
    });
  }
}
