// Forking one drone of a service: a free drone slot of the scoreboard (after the serverLimit child
// slots), its spec, the scoreboard and a data channel as its descriptors, and its start deadline
// (childStartTimeout). Once a stop has begun, or for a generation out of service, nothing is forked; a
// fork the system refuses backs off (fork-backoff.ts).

import { jittered } from "../config/index.ts";
import type { ResolvedService } from "../config/types/service.ts";
import { type DroneSpec, droneFds } from "../drone/spec.ts";
import type { Logger } from "../log/logger.ts";
import { childEnvironment } from "../master/children/child-env.ts";
import { childExecArgv } from "../master/children/child-exec-argv.ts";
import type { ChildHandle } from "../master/children/child-handle.ts";
import { heartbeatInterval } from "../master/children/child-spec.ts";
import type { ChildTable } from "../master/children/children.ts";
import { ForkBackoff, type ForkPurpose } from "../master/children/fork-backoff.ts";
import type { Generation, GenerationLookup } from "../master/generations/generation.ts";
import type { Scoreboard } from "../scoreboard/index.ts";

export interface DroneSpawnerParts {
  readonly table: ChildTable;
  readonly generations: () => GenerationLookup;
  readonly scoreboard: () => Scoreboard | undefined;
  readonly log: Logger;
  readonly stopping: () => boolean;
}

export interface SpawnedDrone {
  readonly child: ChildHandle;
  readonly maxRequests: number;
}

export class DroneSpawner {
  readonly #parts: DroneSpawnerParts;
  readonly #backoff = new ForkBackoff();

  constructor(parts: DroneSpawnerParts) {
    this.#parts = parts;
  }

  /**
   * Forks a drone of `service` (whose record in the scoreboard's service region is `index`); when it
   * cannot, says why.
   */
  spawn(
    service: ResolvedService,
    generation: Generation,
    index: number,
    purpose: ForkPurpose,
  ): SpawnedDrone | string {
    const { table, log } = this.#parts;
    const scoreboard = this.#parts.scoreboard();
    if (this.#parts.stopping()) return "the master is stopping";
    if (!scoreboard) return "the scoreboard is not open";
    if (this.#backoff.holds(purpose)) return "forks are paused after one failed (see the log)";
    if (this.#parts.generations().role(generation.number) === "old") {
      return `generation ${generation.number} is out of service`;
    }
    const { config } = generation;
    const slot = this.#freeSlot(config);
    if (slot === undefined) {
      const noSlot = `no drone slot free (droneLimit ${config.droneLimit}): raise droneLimit (fixed at start)`;
      log.warn(
        { service: service.name, droneLimit: config.droneLimit },
        `service "${service.name}": ${noSlot}`,
      );
      return noSlot;
    }
    scoreboard.master.prepareSlot(slot, generation.number, service.droneConcurrency, Date.now(), {
      service: index,
    });
    const maxRequests = jittered(service.maxRequestsPerDrone, config.recycleJitter);
    const resources = generation.modules.resources;
    const resourceSpecs = resources.specs();
    const fds = droneFds(resourceSpecs.length);
    const spec: DroneSpec = {
      role: "drone",
      slot,
      generation: generation.number,
      restart: generation.kind,
      scoreboardFd: fds.scoreboard,
      channelFd: fds.channel,
      service: service.name,
      module: service.module,
      concurrency: service.droneConcurrency,
      maxRequests,
      maxMessageBytes: service.maxMessageBytes,
      hookTimeoutMs: config.hookTimeout,
      heartbeatIntervalMs: heartbeatInterval(config.heartbeatTimeout),
      hungChildStack: config.hungChildStack,
      nice: service.droneNice,
      modules: config.modules,
      resources: resourceSpecs,
      resourceFds: fds.resources,
      ...(service.nats ? { nats: service.nats } : {}),
      ...(config.user ? { uid: config.user.id, userName: config.user.name } : {}),
      ...(config.group ? { gid: config.group.id } : {}),
    };
    let child: ChildHandle;
    try {
      child = table.spawn({
        spec,
        fds: [scoreboard.fd, ...resources.descriptors()],
        env: childEnvironment(config),
        execArgv: childExecArgv(config.nodeArgs),
        drone: { service: service.name },
      });
    } catch (error) {
      const then = this.#backoff.failed(purpose);
      log.error(
        { err: error, slot, service: service.name },
        `could not fork a drone (out of processes or file descriptors?); ${then}`,
      );
      scoreboard.master.reclaimSlot(slot);
      return `could not fork a drone (${(error as Error).message}): out of processes or file descriptors?`;
    }
    child.after(config.childStartTimeout, () => {
      if (child.phase !== "starting") return;
      log.error(
        { slot, childPid: child.pid, service: service.name, childStartTimeoutMs: config.childStartTimeout },
        `a drone of service "${service.name}" was not ready within ${config.childStartTimeout / 1000} s (childStartTimeout): killing it`,
      );
      child.kill("start-timeout");
    });
    return { child, maxRequests };
  }

  #freeSlot(config: Generation["config"]): number | undefined {
    for (let slot = config.serverLimit; slot < config.serverLimit + config.droneLimit; slot++) {
      if (!this.#parts.table.inSlot(slot)) return slot;
    }
    return undefined;
  }
}
