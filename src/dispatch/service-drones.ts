// One service's drones through their generations (service-generations.ts): started for a generation,
// taken into service when it takes charge, stopped when it never does, let go when a newer generation
// serves or the service leaves the config, drained on a graceful stop; kept at minDrones, a dead one
// replaced at once (with the crash-loop backoff), and in the spare band (service-sizing.ts). A drone's own life: its HELLO (drone-hello.ts), where it goes each time it
// is free (drone-flow.ts), its answers and recycling (drone-done.ts), its death, which settles each of
// its calls at once (drone-exit.ts).
import type { ResolvedService } from "../config/types/service.ts";
import { ErrorCode } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { ChildExit, ChildHandle } from "../master/children/child-handle.ts";
import type { ForkPurpose } from "../master/children/fork-backoff.ts";
import type { Generation } from "../master/generations/generation.ts";
import type { NatsState, ServiceFields } from "../scoreboard/index.ts";
import type { Call } from "./call.ts";
import { Drone } from "./drone.ts";
import { droneDone } from "./drone-done.ts";
import { brokenChannel, droneExited, expectedExit, failedExit } from "./drone-exit.ts";
import { DroneFlow } from "./drone-flow.ts";
import { DroneHello } from "./drone-hello.ts";
import type { SpawnedDrone } from "./drone-spawner.ts";
import { serviceFields } from "./service-fields.ts";
import { ServiceGenerations } from "./service-generations.ts";
import { type PoolHooks, ServicePool } from "./service-pool.ts";
import { ServiceSizing } from "./service-sizing.ts";
import { SessionLife } from "./session-life.ts";

// A drone's answer may carry this much beside its result.
const ANSWER_SLACK_BYTES = 64 * 1024;
// How long a dead drone's channel may take to deliver what it wrote before its calls are settled.
const CHANNEL_DRAIN_MS = 250;

export interface ServiceDronesParts {
  /** A drone forked, or why not. */
  readonly spawn: (
    service: ResolvedService,
    generation: Generation,
    purpose: ForkPurpose,
  ) => SpawnedDrone | string;
  /** Logs a drone's JavaScript stack (the hung-child path), then the caller kills it. */
  readonly readStack: (drone: Drone) => Promise<void>;
  readonly stopping: () => boolean;
  readonly log: Logger;
}

export class ServiceDrones implements PoolHooks {
  /** Its record in the scoreboard's service region. */
  readonly index: number;
  /** Where its NATS transport is (the transport says). */
  nats: NatsState = "none";
  readonly pool: ServicePool;
  readonly sessions: SessionLife;
  readonly #drones = new Map<ChildHandle, Drone>();
  readonly #parts: ServiceDronesParts;
  readonly #log: Logger;
  readonly #generations: ServiceGenerations;
  // Dropped from the config (or it never served): its drones finish and leave, and it takes no call.
  #removed = false;
  // A graceful stop: its drones finish the backlog and leave.
  #draining = false;
  readonly #hello = new DroneHello();
  readonly #flow: DroneFlow;
  readonly #sizing: ServiceSizing;

  constructor(config: ResolvedService, index: number, parts: ServiceDronesParts) {
    this.index = index;
    this.#parts = parts;
    this.#log = parts.log.child({ service: config.name });
    this.pool = new ServicePool(config);
    this.#generations = new ServiceGenerations(config.name);
    this.pool.hooks = this;
    this.sessions = new SessionLife(this.pool, this.#log, (drone) => this.freed(drone));
    this.#flow = new DroneFlow({
      pool: this.pool,
      sessions: this.sessions,
      serving: () => this.#generations.serving,
      starting: (generation) => this.#generations.starting(generation),
      // Removed from the config, it has no other drones to take its backlog: its own finish it, as in a stop.
      draining: () => this.#draining || this.#removed,
      removed: () => (this.#removed ? this.pool.refusing : undefined),
      drainTimeout: () => this.#generations.latest?.config.drainTimeout ?? 30_000,
      spawn: (generation) => {
        const spawned = this.#spawn(generation, "upkeep");
        return typeof spawned === "string" ? undefined : spawned;
      },
    });
    this.#sizing = new ServiceSizing({
      pool: this.pool,
      drones: () => this.#drones.values(),
      supervised: () => (this.#parts.stopping() || this.#draining ? undefined : this.#generations.serving),
      spawn: (generation) => typeof this.#spawn(generation, "upkeep") !== "string",
      retire: (drone) => this.#flow.leave(drone, "idle"),
    });
  }

  get name(): string {
    return this.pool.name;
  }

  /** Whether a generation of it has ever taken charge. */
  get served(): boolean {
    return this.#generations.latest !== undefined;
  }

  get drones(): Drone[] {
    return [...this.#drones.values()];
  }

  /** What the scoreboard shows of the service. */
  fields(): ServiceFields {
    return serviceFields(this.pool, this.#drones.values(), {
      sessionsOpen: this.sessions.count,
      generation: this.#generations.latest?.number ?? 0,
      nats: this.nats,
      removed: this.#removed,
    });
  }

  /** Starts minDrones drones of `generation`; resolves once all are ready, rejects if one cannot start. */
  async start(generation: Generation, signal: AbortSignal): Promise<void> {
    const { minDrones } = this.#configOf(generation);
    await this.#generations.start(generation, minDrones, signal, (start) => {
      for (let i = 0; i < minDrones; i++) {
        const spawned = this.#spawn(generation, "start");
        if (typeof spawned === "string") {
          // One refusal fails the start: the others would only fail the same way.
          start.fail(`service "${this.name}": ${spawned}`);
          return;
        }
      }
    });
  }

  /** `generation` takes charge: its drones take the calls, older ones finish theirs and leave. */
  promote(generation: Generation): void {
    this.#generations.promote(generation);
    this.pool.config = this.#configOf(generation);
    this.#sizing.newGeneration();
    this.#hello.teach(this.pool, generation.number);
    for (const drone of this.#drones.values()) {
      if (drone.generation !== generation.number) this.#letGo(drone, this.pool.config.sessionDrainTimeout);
      else if (drone.state !== "starting") this.freed(drone);
    }
  }

  /** `generation` never takes charge: its drones stop. */
  rollback(generation: Generation): void {
    for (const drone of this.#drones.values()) {
      if (drone.generation === generation.number) this.#flow.leave(drone, "generation", true);
    }
    this.#hello.forget(generation.number);
  }

  /** The service is no longer in the config: its drones finish and leave; its backlog goes with them. */
  retireAll(reason: string): void {
    this.#removed = true;
    this.pool.refusing = reason;
    this.#generations.retire();
    for (const drone of this.#drones.values()) this.#letGo(drone, this.pool.config.sessionDrainTimeout);
    // With no drone of its own left to take them (none, or all pinned or leaving), its waiting calls
    // fail now rather than at their deadlines.
    const able = [...this.#drones.values()].some(
      (drone) => drone.state !== "leaving" && drone.state !== "pinned",
    );
    if (!able)
      this.pool.failWaiting(ErrorCode.NO_SUCH_SERVICE, `${reason}: no drone of it was left to run this call`);
  }

  /** A graceful stop: no new call; the backlog and open sessions finish (bounded), then every drone leaves. */
  drain(refusal: string, timeoutMs: number): void {
    this.#draining = true;
    this.pool.refusing = refusal;
    const sessionMs = Math.min(this.pool.config.sessionDrainTimeout, timeoutMs);
    for (const drone of this.#drones.values()) this.#letGo(drone, sessionMs);
  }

  /** Its drones stay through a graceful stop, idle, until the release (calls away may come back). */
  holdDrones(): () => void {
    this.pool.drainHolds++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.pool.drainHolds--;
      if (this.pool.drainHolds === 0) for (const drone of [...this.pool.idle.drones]) this.freed(drone);
    };
  }

  /** The master stops: whatever still waits is failed. */
  abandon(message: string): void {
    this.#sizing.stop();
    this.pool.failWaiting(ErrorCode.STOPPING, message);
    this.sessions.endAll("gone");
  }

  /** Keeps minDrones and the spare band (once a second). */
  maintain(): void {
    this.#sizing.maintain();
  }

  owns(child: ChildHandle): boolean {
    return this.#drones.has(child);
  }

  // --- PoolHooks -------------------------------------------------------------------------------

  grow(): void {
    this.#sizing.grow();
  }

  /** Calls wait for it elsewhere (a JetStream stream): drones are started for them as for its backlog. */
  demand(waiting: number): void {
    this.#sizing.grow(waiting);
  }

  freed(drone: Drone): void {
    this.#flow.freed(drone);
  }

  stopping(): boolean {
    return this.#parts.stopping() || this.#draining;
  }

  overdue(drone: Drone, call: Call): void {
    this.#log.error(
      { childPid: drone.pid, method: call.request.method, deadlineMs: call.timeoutMs },
      `a drone of service "${this.name}" still runs "${call.request.method}" past its deadline: logging its stack, then replacing it`,
    );
    void this.#parts.readStack(drone).finally(() => drone.child.kill("hung"));
  }

  // --- The drone's own events --------------------------------------------------------------------

  /** Its IPC "ready" (the HELLO came on the data channel, in either order). */
  ready(child: ChildHandle): void {
    const drone = this.#drones.get(child);
    if (drone && this.#hello.ready(drone)) this.#up(drone);
  }

  /** The drone's process exited: its calls are settled now, and minDrones restored. */
  exited(exit: ChildExit, stopping: boolean): void {
    const drone = this.#drones.get(exit.child);
    if (!drone) return;
    this.#drones.delete(exit.child);
    this.pool.idle.remove(drone);
    const start = this.#generations.startOf(drone.generation);
    const parts = { pool: this.pool, sessions: this.sessions, log: this.#log, start };
    const serves = () => !stopping && this.#generations.serves(drone.generation);
    // What it held is settled once the answers it wrote before it exited have been read.
    drone.afterChannel(CHANNEL_DRAIN_MS, () => {
      const { retried } = droneExited(drone, exit, stopping, parts);
      if (!retried) return;
      this.#flow.requeued(this.#drones.values(), stopping);
      if (serves()) this.#sizing.grow();
    });
    if (failedExit(drone, exit, stopping)) this.pool.counters.dronesFailed++;
    if (!serves()) return;
    // A replacement that died starting: the drones at their limit that waited for it leave.
    if (drone.state === "starting") this.#flow.recycleIdle();
    if (!expectedExit(drone, exit, stopping)) {
      this.#sizing.failed(drone.generation, Date.now() - exit.child.startedAt);
    }
    this.#sizing.restore();
  }

  // Its generation no longer serves, or the master stops: its session may go on for `sessionMs`; a
  // drone without one is freed, and leaves (after the backlog, on a graceful stop).
  #letGo(drone: Drone, sessionMs: number): void {
    if (!drone.session) {
      this.freed(drone);
      return;
    }
    this.sessions.drainAfter(drone.session, sessionMs);
    drone.child.leaving();
  }

  #up(drone: Drone): void {
    if (drone.state !== "starting") return;
    drone.state = "idle";
    this.pool.changed();
    this.#generations.startOf(drone.generation)?.ready();
    if (this.#generations.serves(drone.generation) && !this.pool.methods) {
      this.#hello.teach(this.pool, drone.generation);
    }
    this.freed(drone);
    this.#flow.recycleIdle();
  }

  // The drone forked, or why none was.
  #spawn(generation: Generation, purpose: ForkPurpose): Drone | string {
    const config = this.#configOf(generation);
    const spawned = this.#parts.spawn(config, generation, purpose);
    if (typeof spawned === "string") return spawned;
    const drone = new Drone(
      spawned.child,
      config.droneConcurrency,
      spawned.maxRequests,
      {
        hello: (d, hello) => {
          if (this.#hello.hello(d, hello)) this.#up(d);
        },
        done: (d, header, body) => droneDone(d, header, body, this.#flow, this.#log),
        broken: (d, reason) => {
          this.pool.idle.remove(d);
          brokenChannel(d, reason, this.#log);
        },
      },
      config.maxMessageBytes + ANSWER_SLACK_BYTES,
    );
    this.#drones.set(spawned.child, drone);
    this.pool.counters.dronesStarted++;
    return drone;
  }

  #configOf(generation: Generation): ResolvedService {
    return this.#generations.configOf(generation, this.pool.config);
  }
}
