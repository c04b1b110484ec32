// One service's drones through their lives: started for a generation (its start waits for minDrones
// of them), taken into service when their generation takes charge, fed from the backlog each time
// they finish, recycled (the replacement is started first), retired as surplus by maintenance,
// replaced at once when they die (minDrones always, with the crash-loop backoff), and let go when a
// newer generation serves. A drone's death settles each of its calls at once: run again elsewhere
// for an idempotent method (once), failed otherwise.
import type { ResolvedService } from "../config/types.ts";
import { ErrorCode } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { ChildExit, ChildHandle } from "../master/children/child-handle.ts";
import type { ExitPlan } from "../master/children/child-phase.ts";
import type { Generation } from "../master/generations/generation.ts";
import { GenerationStart } from "../master/generations/generation-start.ts";
import type { ServiceFields } from "../scoreboard/index.ts";
import type { Call } from "./call.ts";
import { Drone } from "./drone.ts";
import type { SpawnedDrone } from "./drone-spawner.ts";
import { orphanedCall } from "./orphaned-call.ts";
import { serviceFields } from "./service-fields.ts";
import { type PoolHooks, ServicePool } from "./service-pool.ts";
import { ServiceSizing } from "./service-sizing.ts";
import { SessionLife } from "./session-life.ts";
import type { DoneHeader, HelloHeader } from "./wire/messages.ts";

/** After how many calls a drone's replacement starts: a tenth of its limit ahead, so that it is ready in time. */
function recycleSoon(maxRequests: number): number {
  return Math.max(1, maxRequests - Math.max(1, Math.floor(maxRequests / 10)));
}

// A drone's answer may carry this much beside its result.
const ANSWER_SLACK_BYTES = 64 * 1024;

export interface ServiceDronesParts {
  readonly spawn: (service: ResolvedService, generation: Generation) => SpawnedDrone | undefined;
  /** Logs a drone's JavaScript stack (the hung-child path), then the caller kills it. */
  readonly readStack: (drone: Drone) => Promise<void>;
  readonly stopping: () => boolean;
  readonly log: Logger;
}

interface Methods {
  readonly names: ReadonlySet<string>;
  readonly idempotent: ReadonlySet<string>;
}

// How long a leaving drone that closed its data channel has to exit before it is killed.
const LEFT_CHANNEL_GRACE_MS = 2_000;

export class ServiceDrones implements PoolHooks {
  /** Its record in the scoreboard's service region. */
  readonly index: number;
  readonly pool: ServicePool;
  readonly sessions: SessionLife;
  readonly #drones = new Map<ChildHandle, Drone>();
  readonly #parts: ServiceDronesParts;
  readonly #log: Logger;
  #serving: Generation | undefined;
  // The generation that served last, once none does (the service left the config).
  #last: Generation | undefined;
  readonly #starts = new Map<number, GenerationStart>();
  readonly #methods = new Map<number, Methods>();
  readonly #said = new WeakSet<Drone>();
  #draining = false;
  readonly #sizing: ServiceSizing;

  constructor(config: ResolvedService, index: number, parts: ServiceDronesParts) {
    this.index = index;
    this.#parts = parts;
    this.#log = parts.log.child({ service: config.name });
    this.pool = new ServicePool(config);
    this.pool.hooks = this;
    this.sessions = new SessionLife(this.pool, this.#log, (drone) => this.freed(drone));
    this.#sizing = new ServiceSizing({
      pool: this.pool,
      drones: () => this.#drones.values(),
      supervised: () => (this.#parts.stopping() || this.#draining ? undefined : this.#serving),
      spawn: (generation) => this.#spawn(generation),
      retire: (drone) => this.#leave(drone, "idle"),
    });
  }

  get name(): string {
    return this.pool.name;
  }

  /** Whether a generation of it has ever taken charge. */
  get served(): boolean {
    return this.#serving !== undefined || this.#last !== undefined;
  }

  get drones(): Drone[] {
    return [...this.#drones.values()];
  }

  /** What the scoreboard shows of the service. */
  fields(): ServiceFields {
    const generation = this.#serving?.number ?? this.#last?.number ?? 0;
    return serviceFields(this.pool, this.#drones.values(), this.sessions.count, generation);
  }

  /** Starts minDrones drones of `generation`; resolves once all are ready, rejects if one cannot start. */
  async start(generation: Generation, signal: AbortSignal): Promise<void> {
    const config = this.#configOf(generation);
    const start = new GenerationStart(generation.number, config.minDrones, signal);
    this.#starts.set(generation.number, start);
    try {
      for (let i = 0; i < config.minDrones; i++) {
        if (!this.#spawn(generation)) start.fail(`could not fork a drone of service "${this.name}"`);
      }
      await start.done;
    } finally {
      this.#starts.delete(generation.number);
    }
  }

  /** `generation` takes charge: its drones take the calls, older ones finish theirs and leave. */
  promote(generation: Generation): void {
    this.#serving = generation;
    this.pool.config = this.#configOf(generation);
    this.#sizing.newGeneration();
    const methods = this.#methods.get(generation.number);
    this.pool.methods = methods?.names;
    this.pool.idempotent = methods?.idempotent ?? new Set();
    for (const drone of this.#drones.values()) {
      if (drone.generation === generation.number) {
        if (drone.state !== "starting") this.freed(drone);
      } else if (drone.session) {
        this.sessions.drainAfter(drone.session, this.pool.config.sessionDrainTimeout);
      } else this.freed(drone);
    }
  }

  /** `generation` never takes charge: its drones stop. */
  rollback(generation: Generation): void {
    for (const drone of this.#drones.values()) {
      if (drone.generation === generation.number) this.#leave(drone, "generation", true);
    }
    this.#methods.delete(generation.number);
  }

  /** Dropped from the config (or never served): its drones finish and leave, and it takes no call. */
  gone = false;

  /** The service is no longer in the config: its drones finish and leave; its backlog goes with them. */
  retireAll(reason: string): void {
    this.gone = true;
    this.pool.refusing = reason;
    this.#last = this.#serving;
    this.#serving = undefined;
    for (const drone of this.#drones.values()) {
      if (drone.session) this.sessions.drainAfter(drone.session, this.pool.config.sessionDrainTimeout);
      else this.freed(drone);
    }
  }

  /** A graceful stop: no new call; the backlog and open sessions finish (bounded), then every drone leaves. */
  drain(refusal: string, timeoutMs: number): void {
    this.#draining = true;
    this.pool.refusing = refusal;
    for (const drone of this.#drones.values()) {
      if (drone.session) {
        this.sessions.drainAfter(drone.session, Math.min(this.pool.config.sessionDrainTimeout, timeoutMs));
      } else this.freed(drone);
    }
  }

  /** The master stops: whatever still waits is failed. */
  abandon(message: string): void {
    this.#sizing.stop();
    this.pool.failWaiting(ErrorCode.STOPPING, message);
    this.sessions.endAll("gone");
  }

  owns(child: ChildHandle): boolean {
    return this.#drones.has(child);
  }

  // --- PoolHooks -------------------------------------------------------------------------------

  grow(): void {
    this.#sizing.grow();
  }

  freed(drone: Drone): void {
    if (drone.state === "starting") return;
    if (drone.session) {
      this.sessions.next(drone.session, drone);
      return;
    }
    if (drone.state === "leaving") {
      this.#quiesceIfDone(drone);
      return;
    }
    const serving = this.#serving;
    if (!serving || drone.generation !== serving.number) {
      if (this.#starts.has(drone.generation)) drone.state = "idle";
      else if (!this.#draining || this.pool.backlog.length === 0) this.#leave(drone, "generation");
      else this.#feed(drone);
      return;
    }
    if (drone.retiring || (drone.maxRequests > 0 && drone.served >= drone.maxRequests)) {
      this.#leave(drone, "recycle");
      return;
    }
    this.#feed(drone);
    if (this.#draining && drone.running.size === 0 && this.pool.backlog.length === 0) {
      this.#leave(drone, "stop");
    }
  }

  overdue(drone: Drone, call: Call): void {
    this.#log.error(
      { childPid: drone.pid, method: call.request.method, deadlineMs: call.deadline - call.arrivedAt },
      `a drone of service "${this.name}" still runs "${call.request.method}" past its deadline: logging its stack, then replacing it`,
    );
    void this.#parts.readStack(drone).finally(() => drone.child.kill("hung"));
  }

  // --- The drone's own events --------------------------------------------------------------------

  /** Its IPC "ready" (the HELLO came on the data channel, in either order). */
  ready(child: ChildHandle): void {
    const drone = this.#drones.get(child);
    if (!drone) return;
    if (this.#said.has(drone)) this.#up(drone);
    else this.#said.add(drone);
  }

  #hello(drone: Drone, hello: HelloHeader): void {
    if (!this.#methods.has(drone.generation)) {
      this.#methods.set(drone.generation, {
        names: new Set(hello.methods),
        idempotent: new Set(hello.idempotent),
      });
    }
    if (this.#said.has(drone)) this.#up(drone);
    else this.#said.add(drone);
  }

  #up(drone: Drone): void {
    if (drone.state !== "starting") return;
    drone.state = "idle";
    this.pool.changed();
    this.#starts.get(drone.generation)?.ready();
    if (this.#serving?.number === drone.generation && !this.pool.methods) {
      this.pool.methods = this.#methods.get(drone.generation)?.names;
      this.pool.idempotent = this.#methods.get(drone.generation)?.idempotent ?? new Set();
    }
    this.freed(drone);
  }

  #done(drone: Drone, header: DoneHeader, body: Buffer): void {
    const control = drone.pendingControl.get(header.id);
    if (control) {
      drone.pendingControl.delete(header.id);
      control(header);
      return;
    }
    const call = this.pool.done(drone, header, body);
    if (!call) return;
    if (header.retire && !drone.retiring) {
      drone.retiring = true;
      const limit = drone.maxRequests > 0 && drone.served >= drone.maxRequests;
      this.#log.info(
        { childPid: drone.pid, served: drone.served },
        limit
          ? `a drone reached maxRequestsPerDrone (${drone.maxRequests}): it is replaced`
          : "a drone asked to retire (ctx.retire()): it is replaced",
      );
    }
    if (drone.retiring || (drone.maxRequests > 0 && drone.served >= recycleSoon(drone.maxRequests))) {
      this.#replace(drone);
    }
    if (call.opens) this.sessions.opened(call.opens, drone, header.ok);
    this.freed(drone);
  }

  #broken(drone: Drone, reason: string): void {
    // A drone on its way out, or failing its start (its exit says why), closes its channel as it exits.
    if (drone.child.phase === "exited" || drone.child.phase === "killing") return;
    if (drone.state === "starting" && reason === "its data channel closed") return;
    if (drone.state === "leaving" && reason === "its data channel closed") {
      // Its last step on the way out: it exits by itself in a moment (its records closed, a profile
      // written); killed only if it does not.
      drone.child.after(LEFT_CHANNEL_GRACE_MS, () => {
        if (drone.child.phase !== "exited") drone.child.kill("hung");
      });
      return;
    }
    this.#log.error({ childPid: drone.pid, reason }, `a drone's data channel broke (${reason}): killing it`);
    drone.child.kill("hung");
  }

  /** The drone's process exited: its calls are settled now, and minDrones restored. */
  exited(exit: ChildExit, stopping: boolean): void {
    const drone = this.#drones.get(exit.child);
    if (!drone) return;
    this.#drones.delete(exit.child);
    this.pool.changed();
    this.pool.removeIdle(drone);
    drone.close();
    const expected = stopping || drone.state === "leaving" || exit.child.plan !== undefined;
    const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
    const held = drone.running.size;
    let retried = false;
    for (const call of drone.running.values())
      retried = orphanedCall(call, this.pool, drone.pid, how) || retried;
    drone.running.clear();
    for (const control of drone.pendingControl.values()) {
      control({ id: 0, ok: false, error: { name: "DroverError", message: "the drone exited" } });
    }
    drone.pendingControl.clear();
    if (drone.session) this.sessions.lost(drone.session);
    const fields = {
      childPid: drone.pid,
      generation: drone.generation,
      code: exit.code,
      signal: exit.signal,
    };
    if (drone.state === "starting" || !exit.child.wasReady) {
      const reason = exit.child.fatalReason ?? how;
      this.#starts
        .get(drone.generation)
        ?.fail(`a drone of service "${this.name}" could not start: ${reason}`);
      if (!this.#starts.has(drone.generation)) {
        this.#log.error({ ...fields, reason }, `a drone of service "${this.name}" could not start`);
      }
    } else if (!expected) {
      this.#log.error(
        { ...fields, calls: held },
        `a drone of service "${this.name}" exited unexpectedly (${how}) while running ${held} calls`,
      );
    } else this.#log.debug(fields, "drone exited");
    const serving = this.#serving;
    if (stopping || !serving || drone.generation !== serving.number) return;
    if (!expected) this.#sizing.failed(drone.generation, Date.now() - exit.child.startedAt);
    this.#sizing.restore();
    if (retried) this.#sizing.grow();
  }

  /** Keeps minDrones and the spare band (once a second). */
  maintain(): void {
    this.#sizing.maintain();
  }

  /** Starts `drone`'s replacement, once, ahead of its retirement. */
  #replace(drone: Drone): void {
    if (drone.replaced || this.#serving?.number !== drone.generation) return;
    drone.replaced = true;
    this.#spawn(this.#serving);
  }

  #feed(drone: Drone): void {
    while (drone.hasRoom) {
      const call = this.pool.backlog.shift();
      if (!call) break;
      if (call.opens && drone.running.size > 0) {
        this.pool.backlog.unshift(call);
        break;
      }
      this.pool.run(drone, call);
      if (call.opens) return;
    }
    if (drone.hasRoom) this.pool.pushIdle(drone);
    else drone.state = "busy";
  }

  #leave(drone: Drone, plan: ExitPlan, now = false): void {
    this.pool.removeIdle(drone);
    if (drone.state === "leaving" && !now) return;
    drone.state = "leaving";
    if (now) drone.child.stop(plan);
    else this.#quiesceIfDone(drone, plan);
  }

  #quiesceIfDone(drone: Drone, plan: ExitPlan = "generation"): void {
    if (drone.running.size > 0 || drone.pendingControl.size > 0 || drone.session) return;
    drone.child.quiesce(plan, (this.#serving ?? this.#last)?.config.drainTimeout ?? 30_000);
  }

  #spawn(generation: Generation): boolean {
    const config = this.#configOf(generation);
    const spawned = this.#parts.spawn(config, generation);
    if (!spawned) return false;
    const drone = new Drone(
      spawned.child,
      config.droneConcurrency,
      spawned.maxRequests,
      {
        hello: (d, hello) => this.#hello(d, hello),
        done: (d, header, body) => this.#done(d, header, body),
        broken: (d, reason) => this.#broken(d, reason),
      },
      config.maxMessageBytes + ANSWER_SLACK_BYTES,
    );
    this.#drones.set(spawned.child, drone);
    return true;
  }

  #configOf(generation: Generation): ResolvedService {
    const config = generation.config.services.find((service) => service.name === this.name);
    return config ?? this.pool.config;
  }
}
