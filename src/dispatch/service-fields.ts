// A service as its scoreboard record shows it (drover status, the status page, /metrics).
import type { NatsState, ServiceFields } from "../scoreboard/index.ts";
import type { Drone } from "./drone.ts";
import type { ServicePool } from "./service-pool.ts";

export function serviceFields(
  pool: ServicePool,
  drones: Iterable<Drone>,
  sessionsOpen: number,
  generation: number,
  nats: NatsState,
): ServiceFields {
  let count = 0;
  let idle = 0;
  let starting = 0;
  for (const drone of drones) {
    count++;
    if (drone.state === "idle") idle++;
    else if (drone.state === "starting") starting++;
  }
  return {
    name: pool.name,
    generation,
    drones: count,
    idleDrones: idle,
    startingDrones: starting,
    backlog: pool.backlog.length,
    backlogHighWater: pool.backlog.highWater,
    sessionsOpen,
    counters: pool.counters,
    queueWait: pool.counters.queueWait,
    runTime: pool.counters.runTime,
    nats,
  };
}
