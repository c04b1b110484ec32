// The dispatcher: every service's drones, behind the transport seam. It routes each call to its
// service (or refuses it: no such service, no such session), starts and promotes each generation's
// drones beside the listener pool's children, keeps the pools whole once a second, drains them on a
// graceful stop, and is told of every drone's readiness and exit by the pool of children.

import type { ResolvedService } from "../config/types/service.ts";
import { ErrorCode } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { ChildExit, ChildHandle } from "../master/children/child-handle.ts";
import { readHungStack } from "../master/children/hung-child.ts";
import type { Generation } from "../master/generations/generation.ts";
import type { NatsState, Scoreboard } from "../scoreboard/index.ts";
import type {
  CallHandle,
  CallRequest,
  Dispatcher,
  HandedCall,
  OpeningHandOff,
  Reply,
  ServiceDescription,
  ServiceLoad,
} from "../transports/seam.ts";
import type { DroneSpawner } from "./drone-spawner.ts";
import { ServiceDrones } from "./service-drones.ts";
import { ServiceRecords } from "./service-records.ts";

// Frames to a service nobody knows are read up to this much (then refused).
const UNKNOWN_SERVICE_BODY_BYTES = 64 * 1024;

export interface DispatchParts {
  readonly spawner: DroneSpawner;
  readonly scoreboard: () => Scoreboard | undefined;
  readonly stopping: () => boolean;
  readonly log: Logger;
  /** A generation took charge with these services (the NATS transport subscribes those that have one). */
  readonly promoted?: (services: readonly ResolvedService[]) => void;
}

export class Dispatch implements Dispatcher {
  readonly #parts: DispatchParts;
  readonly #services = new Map<string, ServiceDrones>();
  /** Who watches each service's load (watchLoad), by name: a service added back keeps them. */
  readonly #loadWatchers = new Map<string, Set<() => void>>();
  // Services dropped from the config (or replaced by one of the same name) whose drones still finish.
  readonly #retired = new Set<ServiceDrones>();
  readonly #records: ServiceRecords;

  constructor(parts: DispatchParts) {
    this.#parts = parts;
    this.#records = new ServiceRecords(parts.scoreboard, () => [
      ...this.#services.values(),
      ...this.#retired,
    ]);
  }

  get services(): ServiceDrones[] {
    return [...this.#services.values()];
  }

  // --- The transport seam --------------------------------------------------------------------------

  call(request: CallRequest, reply: Reply): CallHandle | undefined {
    const service = this.#services.get(request.service);
    if (request.session !== undefined) {
      // A session goes on on its drone after its service was removed or replaced, up to sessionDrainTimeout.
      for (const holder of [service, ...this.#retired]) {
        if (holder?.name !== request.service) continue;
        const session = holder.sessions.find(request.session);
        if (session) return holder.pool.call(request, reply, session);
      }
      if (service) {
        service.pool.refuse(reply, ErrorCode.SESSION_EXPIRED, service.sessions.expired(request.session));
        return undefined;
      }
      // Its service is served here no more: the session ended with it (a caller may reopen elsewhere).
      const ended = [...this.#retired].find((holder) => holder.name === request.service);
      reply.fail(
        ErrorCode.SESSION_EXPIRED,
        ended?.sessions.expired(request.session) ??
          `session ${request.session} ended: service "${request.service}" is served here no more`,
      );
      return undefined;
    }
    if (!service) {
      reply.fail(ErrorCode.NO_SUCH_SERVICE, this.#noService(request.service));
      return undefined;
    }
    return service.pool.call(request, reply);
  }

  open(
    serviceName: string,
    timeoutMs: number | undefined,
    signal: AbortSignal,
    reply: Reply,
    handing?: OpeningHandOff,
  ): void {
    const service = this.#services.get(serviceName);
    if (!service) reply.fail(ErrorCode.NO_SUCH_SERVICE, this.#noService(serviceName));
    // An opening back from another host had its place here before the stop: it is kept.
    else if (service.pool.refusing && handing?.arrivedAt === undefined)
      reply.fail(ErrorCode.STOPPING, service.pool.refusing);
    else service.sessions.open(timeoutMs, signal, reply, handing);
  }

  close(session: string, reply: Reply, why: "closed" | "gone" = "closed"): void {
    for (const service of [...this.#services.values(), ...this.#retired]) {
      if (service.sessions.find(session)) {
        service.sessions.close(session, reply, why);
        return;
      }
    }
    reply.ok(Buffer.alloc(0));
  }

  bodyLimit(service: string | undefined): number {
    const known = service === undefined ? undefined : this.#services.get(service);
    if (known) return known.pool.config.maxMessageBytes;
    return UNKNOWN_SERVICE_BODY_BYTES;
  }

  load(serviceName: string): ServiceLoad | undefined {
    const service = this.#services.get(serviceName);
    if (!service) return undefined;
    const { pool } = service;
    // The stack may still hold drones that left or filled up since (they are dropped as it is popped).
    let idle = 0;
    let free = 0;
    for (const drone of pool.idle.drones) {
      if (!drone.takesCalls) continue;
      idle++;
      if (drone.running.size === 0) free++;
    }
    return { waiting: pool.backlog.length, maxBacklog: pool.config.maxBacklog, idle, free };
  }

  transportState(serviceName: string, state: NatsState): void {
    const service = this.#services.get(serviceName);
    if (!service || service.nats === state) return;
    service.nats = state;
    this.#records.publishSoon();
  }

  demand(serviceName: string, waiting: number): void {
    const service = this.#services.get(serviceName);
    service?.demand(waiting);
  }

  watchLoad(serviceName: string, listener: () => void): () => void {
    const added = this.#loadWatchers.get(serviceName) ?? new Set<() => void>();
    this.#loadWatchers.set(serviceName, added);
    added.add(listener);
    return () => {
      added.delete(listener);
      if (added.size === 0 && this.#loadWatchers.get(serviceName) === added)
        this.#loadWatchers.delete(serviceName);
    };
  }

  holdDrones(serviceName: string): () => void {
    return this.#services.get(serviceName)?.holdDrones() ?? (() => {});
  }

  handOver(serviceName: string, count: number): HandedCall[] {
    return this.#services.get(serviceName)?.pool.handOver(count) ?? [];
  }

  describe(serviceName: string): ServiceDescription | undefined {
    const service = this.#services.get(serviceName);
    if (!service) return undefined;
    const { pool } = service;
    const { counters } = pool;
    return {
      methods: [...(pool.methods ?? [])],
      calls: counters.calls,
      failed: counters.failed,
      runTimeMs: counters.runTime.sumMs,
      runs: counters.runTime.count,
      drones: service.drones.length,
      backlog: pool.backlog.length,
    };
  }

  hasSession(session: string): boolean {
    for (const service of [...this.#services.values(), ...this.#retired]) {
      if (service.sessions.find(session)) return true;
    }
    return false;
  }

  // --- Generations -------------------------------------------------------------------------------

  /** Starts `generation`'s drones for each of its services; resolves once each has minDrones ready. */
  async start(generation: Generation, signal: AbortSignal): Promise<void> {
    const started: Promise<void>[] = [];
    for (const config of generation.config.services) {
      let service = this.#services.get(config.name);
      if (!service) {
        service = this.#newService(config);
        this.#services.set(config.name, service);
      }
      started.push(service.start(generation, signal));
    }
    // Every start settles before this does, so that a failed one leaves no spawn behind.
    const outcomes = await Promise.allSettled(started);
    const failed = outcomes.find((outcome) => outcome.status === "rejected");
    if (failed) throw failed.reason;
  }

  /** `generation` takes charge: its drones serve; services it no longer has finish and leave. */
  promote(generation: Generation): void {
    const names = new Set(generation.config.services.map((service) => service.name));
    for (const service of [...this.#services.values()]) {
      if (names.has(service.name)) {
        service.promote(generation);
        continue;
      }
      // Its drones finish what they hold and leave; it is forgotten with the last (exited).
      service.retireAll(`service "${service.name}" is no longer in the config`);
      this.#services.delete(service.name);
      this.#retire(service);
    }
    // drover status shows the services from the moment the generation serves.
    this.#records.publish();
    this.#parts.promoted?.(generation.config.services);
  }

  rollback(generation: Generation): void {
    for (const service of [...this.#services.values()]) {
      service.rollback(generation);
      // A service this generation brought, which never served: gone with it.
      if (!service.served) {
        service.retireAll(`service "${service.name}" did not start`);
        this.#services.delete(service.name);
        this.#retire(service);
      }
    }
  }

  /** Once a second: minDrones and the spare band of each service, and their records published. */
  maintain(): void {
    for (const service of this.#services.values()) service.maintain();
    this.#records.publish();
  }

  /** A graceful stop: no new calls; what is queued and running finishes, then the drones leave. */
  drain(timeoutMs: number): void {
    for (const service of this.#services.values()) {
      service.drain("the master is stopping: this call was refused; retry on another host", timeoutMs);
    }
  }

  /** The stop is over: anything still waiting fails. */
  abandon(): void {
    for (const service of [...this.#services.values(), ...this.#retired])
      service.abandon("the master stopped before a drone took this call");
  }

  // --- The pool of children tells us -----------------------------------------------------------

  ready(child: ChildHandle): void {
    this.#owner(child)?.ready(child);
  }

  exited(exit: ChildExit): void {
    const owner = this.#owner(exit.child);
    owner?.exited(exit, this.#parts.stopping());
    if (owner && this.#retired.has(owner)) this.#retire(owner);
  }

  // A service out of the config finishes on its drones; with the last gone, it is forgotten, and its
  // record with it (drover status lists it no more).
  #retire(service: ServiceDrones): void {
    if (service.drones.length > 0) {
      this.#retired.add(service);
      return;
    }
    this.#retired.delete(service);
    this.#records.clear(service.index);
  }

  #newService(config: ResolvedService): ServiceDrones {
    const index = this.#records.free(config.name);
    const service = new ServiceDrones(config, index, {
      spawn: (service, generation, purpose) => this.#parts.spawner.spawn(service, generation, index, purpose),
      readStack: (drone) => this.#readStack(drone.child),
      stopping: this.#parts.stopping,
      log: this.#parts.log,
    });
    service.pool.changed = () => {
      this.#records.publishSoon();
      const watchers = this.#loadWatchers.get(config.name);
      if (watchers) for (const watcher of watchers) watcher();
    };
    return service;
  }

  #owner(child: ChildHandle): ServiceDrones | undefined {
    const name = child.drone?.service;
    const service = name === undefined ? undefined : this.#services.get(name);
    if (service?.owns(child)) return service;
    for (const retired of this.#retired) if (retired.owns(child)) return retired;
    return undefined;
  }

  async #readStack(child: ChildHandle): Promise<void> {
    const scoreboard = this.#parts.scoreboard();
    if (!scoreboard) return;
    // The pool said why (a call past its deadline, whether or not its event loop is stuck).
    await readHungStack(
      scoreboard,
      child.slot,
      child.pid,
      this.#parts.log.child({ childPid: child.pid }),
      true,
    );
  }

  #noService(name: string): string {
    const names = [...this.#services.keys()];
    return names.length > 0
      ? `no service "${name}" runs here; the services are: ${names.join(", ")}`
      : `no service "${name}" runs here: this master has no services (add them under services in the config)`;
  }
}
