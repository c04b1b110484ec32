// Sessions of one service: opened like a call (it waits in the backlog for an idle drone, never a
// starting one), pinned to the drone whose onConnect ran, fed its calls in order, and ended however
// it ends: the DISCONNECT waits for the call in progress, then runs onDisconnect in the drone, which
// is then free for other work.
import { ErrorCode } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { OpeningHandOff, Reply } from "../transports/seam.ts";
import type { Drone } from "./drone.ts";
import type { ServicePool } from "./service-pool.ts";
import { EndedSessions, Session } from "./session.ts";
import { Kind, type SessionEnd } from "./wire/messages.ts";

const EMPTY = Buffer.alloc(0);
// Ids of control frames (CONNECT is a call; DISCONNECT is not), apart from the calls' ids.
let lastControlId = 2 ** 40;

const ENDINGS: Readonly<Record<SessionEnd, string>> = {
  closed: "was closed",
  idle: "ended after sessionIdleTimeout with no call",
  lifetime: "reached sessionMaxLifetime",
  drain: "ended: its drone's generation was replaced (open a new session)",
  gone: "ended: its drone or its client went away",
};

export class SessionLife {
  readonly #pool: ServicePool;
  readonly #log: Logger;
  readonly #freed: (drone: Drone) => void;
  readonly #open = new Map<string, Session>();
  readonly #ended = new EndedSessions();

  constructor(pool: ServicePool, log: Logger, freed: (drone: Drone) => void) {
    this.#pool = pool;
    this.#log = log;
    this.#freed = freed;
  }

  get count(): number {
    return this.#open.size;
  }

  find(id: string): Session | undefined {
    return this.#open.get(id);
  }

  /** Why `id` is not open: its end, or that it never was. */
  expired(id: string): string {
    const why = this.#ended.why(id);
    return why
      ? `session ${id} of service "${this.#pool.name}" ${why}`
      : `no session ${id} is open on service "${this.#pool.name}"`;
  }

  /** `handing`: what a transport that hands calls between hosts needs to hand the opening on. */
  open(timeoutMs: number | undefined, signal: AbortSignal, reply: Reply, handing?: OpeningHandOff): void {
    const session = new Session(this.#pool.name);
    const request = {
      ...handing,
      service: this.#pool.name,
      method: "(session)",
      params: EMPTY,
      timeoutMs,
      session: undefined,
      signal,
    };
    // An opening is a call for the counters too: it completes or fails as one.
    this.#pool.counters.calls++;
    const call = this.#pool.newCall(request, reply, session);
    this.#pool.dispatch(call);
  }

  close(id: string, reply: Reply, why: "closed" | "gone"): void {
    const session = this.#open.get(id);
    if (!session) {
      // Closing a session that already ended is no error: it is closed.
      reply.ok(EMPTY);
      return;
    }
    this.end(session, why, () => reply.ok(EMPTY));
  }

  /**
   * A drone answered a session's CONNECT; `unwanted`: its caller stopped waiting first (the opening's
   * deadline passed, or it was cancelled), so nobody will ever call or close it.
   */
  opened(session: Session, drone: Drone, ok: boolean, unwanted: boolean): void {
    if (!ok) return;
    if (unwanted) this.end(session, "gone");
    // Its drone was let go while onConnect ran (a reload, a stop, the service gone): drained as the
    // sessions open then were, not left open on it for good.
    const letGo = drone.state === "leaving" || this.#pool.refusing !== undefined;
    session.drone = drone;
    drone.session = session;
    drone.state = "pinned";
    this.#pool.idle.remove(drone);
    // Ended already: the drone, freed next (drone-done.ts), runs onDisconnect at once (next()).
    if (session.ending) return;
    this.#open.set(session.id, session);
    this.#pool.counters.sessionsOpened++;
    const { sessionMaxLifetime } = this.#pool.config;
    session.limitLifetime(sessionMaxLifetime, () => this.end(session, "lifetime"));
    if (letGo) this.drainAfter(session, this.#pool.config.sessionDrainTimeout);
  }

  /** Its drone is free: the next call of the session runs, or the session ends now if it is ending. */
  next(session: Session, drone: Drone): void {
    if (drone.running.size > 0) return;
    if (session.ending) {
      this.#disconnect(session, drone);
      return;
    }
    this.#pool.expireDue();
    const call = session.next();
    if (call) {
      this.#pool.run(drone, call);
      return;
    }
    session.touch(this.#pool.config.sessionIdleTimeout, () => this.end(session, "idle"));
  }

  /** A reload (or a stop) replaced its drone's generation: it may go on for `ms`, then it is told to reconnect. */
  drainAfter(session: Session, ms: number): void {
    setTimeout(() => this.end(session, "drain"), ms).unref();
  }

  /** Its drone died: the session is over; its waiting calls fail, and a close that waited is answered. */
  lost(session: Session): void {
    if (session.drone) session.drone.session = undefined;
    session.drone = undefined;
    // Ending already (its close waited for its running call): no onDisconnect will run to answer it.
    if (session.ending) this.#finish(session);
    else this.end(session, "gone");
  }

  endAll(reason: SessionEnd): void {
    for (const session of [...this.#open.values()]) this.end(session, reason);
  }

  /** Ends `session` for `reason`; `then` runs once its drone ran onDisconnect (or at once without one). */
  end(session: Session, reason: SessionEnd, then?: () => void): void {
    if (then) session.closed.push(then);
    if (session.ending) return;
    session.ending = reason;
    session.stopTimers();
    this.#open.delete(session.id);
    this.#ended.add(session.id, ENDINGS[reason]);
    for (let call = session.next(); call; call = session.next()) {
      if (call.fail(ErrorCode.SESSION_EXPIRED, this.expired(session.id))) this.#pool.counters.failed++;
    }
    this.#log.debug({ session: session.id, reason }, "session ends");
    const drone = session.drone;
    // Not pinned yet (if its CONNECT succeeds, its drone disconnects at once), or its drone is gone.
    if (!drone) this.#finish(session);
    else if (drone.running.size === 0) this.#disconnect(session, drone);
  }

  #disconnect(session: Session, drone: Drone): void {
    const id = ++lastControlId;
    drone.pendingControl.set(id, () => {
      drone.session = undefined;
      session.drone = undefined;
      if (drone.state === "pinned") drone.state = "idle";
      this.#finish(session);
      this.#freed(drone);
    });
    drone.send(Kind.DISCONNECT, { id, session: session.id, reason: session.ending ?? "closed" });
  }

  #finish(session: Session): void {
    for (const then of session.closed.splice(0)) then();
  }
}
