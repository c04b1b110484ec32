// Where a drone goes each time it is free: to the next step of its session, to more calls from the
// backlog (then back on the idle stack while it has room), or out: recycled once its replacement is up
// or, at its limit, once another drone has room; at once when it asked to retire; let go when its
// generation no longer serves (after the backlog, on a graceful stop). A leaving drone quiesces once
// it runs nothing, owes no control answer and holds no session.
import { ErrorCode } from "../errors.ts";
import type { ExitPlan } from "../master/children/child-phase.ts";
import type { Generation } from "../master/generations/generation.ts";
import type { Call } from "./call.ts";
import type { Drone } from "./drone.ts";
import type { ServicePool } from "./service-pool.ts";
import type { SessionLife } from "./session-life.ts";

const notAnOpening = (call: Call) => !call.opens;

export interface FlowParts {
  readonly pool: ServicePool;
  readonly sessions: SessionLife;
  /** The generation whose drones take calls, while one does. */
  readonly serving: () => Generation | undefined;
  /** Whether `generation` is still starting (its ready drones wait, idle, for it to take charge). */
  readonly starting: (generation: number) => boolean;
  /** A graceful stop: the drones finish the backlog, then leave. */
  readonly draining: () => boolean;
  /** Why it takes no call, once it left the config (its drones finish the backlog, as in a stop). */
  readonly removed: () => string | undefined;
  /** How long a leaving drone may take to finish what it has (its generation's drainTimeout). */
  readonly drainTimeout: () => number;
  /** Starts a drone of `generation`: it, or undefined when none could be started. */
  readonly spawn: (generation: Generation) => Drone | undefined;
}

export class DroneFlow {
  readonly pool: ServicePool;
  readonly sessions: SessionLife;
  readonly #parts: FlowParts;

  constructor(parts: FlowParts) {
    this.pool = parts.pool;
    this.sessions = parts.sessions;
    this.#parts = parts;
  }

  /** It finished a call or a session step (or came up, or its generation changed): it works on, or leaves. */
  freed(drone: Drone): void {
    // A dead drone's owed answers settle as it exits (a DISCONNECT's among them): it stays out.
    if (drone.state === "starting" || drone.child.phase === "exited") return;
    if (drone.session) {
      this.sessions.next(drone.session, drone);
      return;
    }
    if (drone.state === "leaving") {
      this.#quiesceIfDone(drone);
      return;
    }
    // The master stops it outside the flow (a hard stop or restart): it takes nothing more.
    if (drone.child.phase === "killing") {
      this.pool.idle.remove(drone);
      drone.state = "leaving";
      return;
    }
    const serving = this.#parts.serving();
    const draining = this.#parts.draining();
    if (!serving || drone.generation !== serving.number) {
      if (this.#parts.starting(drone.generation)) drone.state = "idle";
      else if (!draining || this.pool.backlog.length === 0) this.leave(drone, "generation");
      else this.#feed(drone);
      return;
    }
    if (drone.retiring || this.#recycles(drone)) {
      this.leave(drone, "recycle");
      return;
    }
    this.#feed(drone);
    const { backlog, drainHolds } = this.pool;
    if (draining && drone.running.size === 0 && backlog.length === 0 && drainHolds === 0) {
      this.leave(drone, "stop");
    }
  }

  /**
   * Calls went back to the backlog after their drone died: a drone idle now takes them (the dead one may
   * be of an older generation, or none may start). A stop, or a service out of the config, starts no
   * drone: with none left to take them (the others pinned or leaving), they fail at once.
   */
  requeued(drones: Iterable<Drone>, stopping: boolean): void {
    for (const drone of [...this.pool.idle.drones].reverse()) {
      if (this.pool.backlog.length === 0) return;
      this.freed(drone);
    }
    if (this.pool.backlog.length === 0 || !(stopping || this.#parts.draining())) return;
    for (const drone of drones) if (drone.state === "idle" || drone.state === "busy") return;
    const removed = this.#parts.removed();
    const noneLeft = "its drone died under the call, and no drone is left to run it again";
    if (removed && !stopping) this.pool.failWaiting(ErrorCode.NO_SUCH_SERVICE, `${removed}: ${noneLeft}`);
    else this.pool.failWaiting(ErrorCode.STOPPING, `service "${this.pool.name}" is stopping: ${noneLeft}`);
  }

  /** It takes no more calls; it quiesces once done (`now`: it stops at once). */
  leave(drone: Drone, plan: ExitPlan, now = false): void {
    this.pool.idle.remove(drone);
    if (drone.state === "leaving" && !now) return;
    drone.state = "leaving";
    if (now) drone.child.stop(plan);
    else if (!this.#quiesceIfDone(drone, plan)) drone.child.leaving();
  }

  /** Starts `drone`'s replacement, once, ahead of its retirement. */
  replace(drone: Drone): void {
    const serving = this.#parts.serving();
    if (drone.replaced || serving?.number !== drone.generation) return;
    drone.replaced = true;
    drone.replacement = this.#parts.spawn(serving);
  }

  /** A drone came up (or one starting died): the idle ones past their limit, or relieved, leave now. */
  recycleIdle(): void {
    for (const drone of [...this.pool.idle.drones]) {
      if (drone.running.size === 0 && this.#recycles(drone)) this.leave(drone, "recycle");
    }
  }

  // At its limit or relieved by its replacement, and no call needs it to serve on.
  #recycles(drone: Drone): boolean {
    return (drone.spent || drone.relieved) && !this.#servesOn(drone);
  }

  // A drone past maxRequestsPerDrone serves on (up to its overtime, Drone.hasRoom) only while its
  // replacement starts and no other drone has room: recycling never makes a call wait for a start,
  // nor keeps a spent drone busy that another could relieve.
  #servesOn(drone: Drone): boolean {
    return drone.hasRoom && !this.pool.idle.drones.some((other) => other !== drone && other.takesCalls);
  }

  #feed(drone: Drone): void {
    while (drone.hasRoom) {
      // An opening pins its drone, so it waits for one that runs nothing; a busy drone with room takes
      // the calls behind it instead of letting them wait too.
      const call = this.pool.takeWaiting(drone.running.size > 0 ? notAnOpening : undefined);
      if (!call) break;
      this.pool.run(drone, call);
      if (call.opens) return;
    }
    if (drone.hasRoom) this.pool.idle.push(drone);
    else drone.state = "busy";
  }

  // Whether it was told to quiesce (it holds nothing any more).
  #quiesceIfDone(drone: Drone, plan: ExitPlan = "generation"): boolean {
    if (drone.running.size > 0 || drone.pendingControl.size > 0 || drone.session) return false;
    drone.child.quiesce(plan, this.#parts.drainTimeout());
    return true;
  }
}
