// A service as its scoreboard record shows it (drover status, the status page, /metrics).
import type { NatsState, ServiceFields } from "../scoreboard/index.ts";
import { SERVICE_NAME_BYTES } from "../scoreboard/layout.ts";
import type { Drone } from "./drone.ts";
import type { ServicePool } from "./service-pool.ts";

export interface ServiceState {
  readonly sessionsOpen: number;
  /** The generation serving, or the last that served (0 before any). */
  readonly generation: number;
  readonly nats: NatsState;
  /** Out of the config, its drones finishing. */
  readonly removed: boolean;
}

export function serviceFields(
  pool: ServicePool,
  drones: Iterable<Drone>,
  { sessionsOpen, generation, nats, removed }: ServiceState,
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
    name: shownName(pool.name, removed),
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

// A removed service whose drones finish is shown apart from one of the same name added back meanwhile
// (one name twice would be two /metrics series with one label set).
function shownName(name: string, removed: boolean): string {
  const apart = `${name} (removed)`;
  return removed && Buffer.byteLength(apart) <= SERVICE_NAME_BYTES ? apart : name;
}
